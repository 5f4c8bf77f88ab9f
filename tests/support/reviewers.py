"""A physician for tests: a real OpenSSH key made with ssh-keygen in the test's own folder, listed
in a site copy's allowed signers, and signatures made with it by the project's own signing code
(what `bin/invoke review --approve` does)."""

import subprocess
from pathlib import Path

from keter_site.medical_review import signing
from keter_tools.sign_page import sign

NAMES = {"he": 'ד"ר בודק בדיקות', "en": "Dr. Test Physician"}


def make_key(folder, name="physician"):
    """The private key file (no passphrase) made in `folder`; its public half beside it (.pub)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / name
    if not key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test", "-f", str(key)],
                       check=True, timeout=60)
    return key


def signer_block(key, principal="physician", names=None):
    """The allowed-signers lines that list `key` (a private key file; its .pub is read)."""
    public = " ".join(Path(f"{key}.pub").read_text(encoding="utf-8").split()[:2])
    lines = [f"# name.{lang}: {name}" for lang, name in (names or NAMES).items()]
    return "\n".join([*lines, f'{principal} namespaces="{signing.NAMESPACE}" {public}']) + "\n"


def is_listed(allowed_signers, key):
    """Whether the allowed-signers file lists `key` (its public half) already."""
    path = Path(allowed_signers)
    public = " ".join(Path(f"{key}.pub").read_text(encoding="utf-8").split()[:2])
    return path.exists() and public in path.read_text(encoding="utf-8")


def list_signer(allowed_signers, key, principal="physician", names=None):
    """Add the reviewer's block to an allowed-signers file."""
    path = Path(allowed_signers)
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(before + ("\n" if before else "") + signer_block(key, principal, names), encoding="utf-8")
    return path


def approve_all(settings, key):
    """The physician signs every medical page of the site in `settings` (a settings dict)."""
    from keter_tools import readiness

    for status in readiness.pages(settings):
        if status.medical and status.review.state != "current":
            sign(settings, status.key, "approval", key)


def approve_fixture(fixture, slug, names=None, today=None):
    """The physician of a FixtureSite (a key made in its folder, listed in its allowed signers
    with `names`) signs the page `slug` as it is now, on `today`."""
    from keter_tools.build import load_settings

    key = make_key(fixture.base / "keys")
    allowed = fixture.content / "data" / "allowed_signers"
    if not is_listed(allowed, key):
        list_signer(allowed, key, names=names)
    return sign(load_settings(fixture.settings_file()), slug, "approval", key, today=today)
