"""The physician's signature: OpenSSH file signing (`ssh-keygen -Y sign` / `-Y verify`) in the project's own
namespace, checked against the allowed signers (OpenSSH's own file, so ssh-keygen reads it as it is)."""

from collections.abc import Mapping
from typing import Any
import functools
import hashlib
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from keter_site.core.data import DataError
from keter_site.core.fingerprints import of_bytes
from keter_site.core.problems import Problem

NAMESPACE = "keter-health-medical-review"
ENVIRONMENT = "KETER_ALLOWED_SIGNERS"
DEFAULT_FILE = ("data", "allowed_signers")  # under the content folder; ALLOWED_SIGNERS_FILE overrides it
PRINCIPAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")
# `# name.he: ...` lines above a key give the stamp's name per language: in the key's own file, so a publishing
# machine that pins its copy (KETER_ALLOWED_SIGNERS) pins the names with the keys.
NAME_LINE = re.compile(r"#\s*name\.([a-z]{2,3}):\s*(.*?)\s*$")
KEY_TYPES = re.compile(r"(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$")
TIMEOUT = 30
GUIDE = "docs/editing.md, \"The physician's key\""


class SigningError(Exception):
    """ssh-keygen could not sign (no key, wrong passphrase, no agent): its own words."""


@dataclass
class Signer:
    """One reviewer of the allowed signers: their key, and their name in each language."""
    principal: str
    names: dict[str, str]              # {lang: the name the stamp shows}
    key: str                           # "type base64"
    line: int
    options: str = ""
    fingerprint: str = field(default="")  # SHA256:... as ssh-keygen -l shows it


@dataclass
class Signers:
    """The allowed-signers file that counts: only a key listed here makes a review count."""
    path: Path
    data: bytes                        # the file's exact bytes: what every verification uses
    by_principal: dict[str, Signer]    # {principal: Signer}
    pinned: bool                       # named by KETER_ALLOWED_SIGNERS

    def digest(self) -> str:
        """The allowed signers' fingerprint (the publish report records it)."""
        return of_bytes(self.data)


def signers_path(settings: Mapping[str, Any]) -> tuple[Path, bool]:
    """(path, pinned): the allowed-signers file that counts. KETER_ALLOWED_SIGNERS, when set,
    names the publishing machine's own copy; then only that file counts."""
    pinned = os.environ.get(ENVIRONMENT, "").strip()
    if pinned:
        return Path(pinned).expanduser(), True
    return Path(settings.get("ALLOWED_SIGNERS_FILE") or Path(settings["PATH"], *DEFAULT_FILE)), False


def key_fingerprint(key: str) -> str:
    """SHA256:... of an OpenSSH public key ("type base64"), as `ssh-keygen -l` prints it."""
    import base64

    try:
        blob = base64.b64decode(key.split()[1], validate=True)
    except (IndexError, ValueError):
        return ""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def load_signers(settings: Mapping[str, Any], languages: list[str]) -> Signers:
    """The allowed signers. Raises DataError for a file that is
    missing when pinned, or written wrongly; a missing in-repository file is an empty list."""
    path, pinned = signers_path(settings)
    if pinned:
        project = Path(settings["PATH"]).resolve()
        from keter_site.core.project import ROOT

        resolved = path.resolve()
        if not path.is_file():
            raise DataError.one(path, f"{ENVIRONMENT} names {path}, which is not a file.",
                                f"Point {ENVIRONMENT} at the publishing machine's own allowed-signers file "
                                f"({GUIDE}), or unset it.")
        if resolved.is_relative_to(ROOT.resolve()) or resolved.is_relative_to(project):
            raise DataError.one(path, f"{ENVIRONMENT} names a file inside the project; a pinned list must "
                                "live outside the repository, or an edit of the repository would change it.",
                                f"Copy the allowed signers to a file outside the project (such as "
                                f"~/.config/keter/allowed_signers) and point {ENVIRONMENT} at it.")
    data = path.read_bytes() if path.is_file() else b""
    return Signers(path, data, parse(path, data.decode("utf-8", errors="replace"), languages), pinned)


def parse(path: Path, text: str, languages: list[str]) -> dict[str, Signer]:
    """{principal: Signer} of an allowed-signers file's text; raises DataError for every wrong line."""
    signers: dict[str, Signer] = {}
    names: dict[str, str] = {}
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            names = {}
            continue
        if line.startswith("#"):
            if match := NAME_LINE.match(line):
                names[match.group(1)] = match.group(2)
            continue
        fields = line.split()
        principal = fields[0]
        options = fields[1] if len(fields) > 2 and not KEY_TYPES.match(fields[1]) else ""
        key_fields = fields[2:4] if options else fields[1:3]
        fix = (f"Write the reviewer's line as `PRINCIPAL namespaces=\"{NAMESPACE}\" ssh-ed25519 AAAA...`, after "
               f"one `# name.LANG: ...` line per language ({GUIDE}).")
        if not PRINCIPAL.fullmatch(principal):
            problems.append(Problem(str(path), f"`{principal}` is not one reviewer's name for the key (one word: "
                                    "letters, digits, . _ @ -).", fix, number))
            continue
        if len(key_fields) != 2 or not KEY_TYPES.match(key_fields[0]) or not key_fingerprint(" ".join(key_fields)):
            problems.append(Problem(str(path), f"the line of `{principal}` holds no OpenSSH public key.", fix, number))
            continue
        if "cert-authority" in options.lower():
            problems.append(Problem(str(path), f"`{principal}` is listed as a certificate authority; each reviewer's "
                                    "own key is listed instead, so that only that key can sign.", fix, number))
            continue
        missing = [lang for lang in languages if not names.get(lang)]
        if missing:
            problems.append(Problem(str(path), f"`{principal}` has no name to show in {', '.join(missing)}.",
                                    f"Add the line `# name.{missing[0]}: ...` just above it ({GUIDE}).", number))
        if principal in signers:
            problems.append(Problem(str(path), f"`{principal}` is listed twice (line {signers[principal].line}).",
                                    "Keep one line per reviewer; a new key replaces the old line.", number))
        key = " ".join(key_fields)
        signers[principal] = Signer(principal, dict(names), key, number, options, key_fingerprint(key))
        names = {}
    if problems:
        raise DataError(path, problems)
    return signers


def message(kind: str, page: str, fingerprint: str, principal: str, on: object) -> bytes:
    """The exact bytes the physician signs: what they approve (or release from review), for
    which page and text, who they are and the day."""
    return (f"keter-health medical review v1\nkind: {kind}\npage: {page}\nfingerprint: {fingerprint}\n"
            f"reviewer: {principal}\ndate: {on}\n").encode("utf-8")


def _run(argv: list[str], data: bytes | None, timeout: int = TIMEOUT) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(argv, input=data, capture_output=True, timeout=timeout)
    except FileNotFoundError as error:
        raise SigningError("ssh-keygen (OpenSSH) is not installed; install the `openssh-client` package.") from error
    except subprocess.TimeoutExpired as error:
        raise SigningError(f"{argv[0]} did not answer within {timeout} s.") from error


def sign(data: bytes, key_file: str | Path, use_agent: bool = False) -> str:
    """The armored SSH signature of `data` with the key in `key_file` (a private key; or, with
    `use_agent`, the public key whose private half ssh-agent holds)."""
    with tempfile.TemporaryDirectory(prefix="keter-sign-") as tmp:
        payload = Path(tmp) / "message"
        payload.write_bytes(data)
        argv = ["ssh-keygen", "-Y", "sign", "-q", "-n", NAMESPACE, "-f", str(key_file)]
        if use_agent:
            argv.insert(3, "-U")
        done = _run([*argv, str(payload)], None, timeout=300)  # time for a passphrase prompt
        signature = payload.with_name("message.sig")
        if done.returncode != 0 or not signature.is_file():
            raise SigningError((done.stderr or done.stdout).decode("utf-8", errors="replace").strip()
                               or f"ssh-keygen exited with {done.returncode}")
        return signature.read_text(encoding="ascii")


@functools.lru_cache(maxsize=1024)  # pure: the answer depends only on these exact bytes
def verify(data: bytes, signature: str, principal: str, signers_data: bytes) -> bool:
    """Whether `signature` is `principal`'s signature of `data` in the project's namespace, by the
    key the allowed signers (their exact bytes) list for them: only that makes a review count."""
    # The same question asked again (every build of the live preview) is answered from memory.
    if not signature.strip() or not PRINCIPAL.fullmatch(principal):
        return False
    with tempfile.TemporaryDirectory(prefix="keter-verify-") as tmp:
        allowed, sig = Path(tmp) / "allowed_signers", Path(tmp) / "signature"
        allowed.write_bytes(signers_data)
        sig.write_text(signature, encoding="ascii", errors="replace")
        try:
            done = _run(["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", principal, "-n", NAMESPACE,
                         "-s", str(sig)], data)
        except SigningError:
            return False  # no ssh-keygen: load_signers' caller reports it; nothing counts as signed
        return done.returncode == 0


def public_key_of(key_file: str | Path, use_agent: bool) -> str:
    """"type base64" of the key that will sign: the .pub beside a private key, the file itself
    when it is a public key, or (agent) the key file given."""
    path = Path(key_file)
    for candidate in ((path,) if use_agent else (path.with_name(path.name + ".pub"), path)):
        if candidate.is_file():
            fields = candidate.read_text(encoding="utf-8", errors="replace").split()
            if len(fields) >= 2 and KEY_TYPES.match(fields[0]):
                return " ".join(fields[:2])
    done = _run(["ssh-keygen", "-y", "-f", str(path)], b"")
    if done.returncode == 0:
        return " ".join(done.stdout.decode().split()[:2])
    raise SigningError(f"{path}: no public key found beside it (expected {path.name}.pub).")


def agent_keys() -> list[str]:
    """["type base64"] of the keys ssh-agent holds (empty when no agent answers)."""
    try:
        done = subprocess.run(["ssh-add", "-L"], capture_output=True, timeout=TIMEOUT)
    except FileNotFoundError:
        return []
    if done.returncode != 0:
        return []
    return [" ".join(line.split()[:2]) for line in done.stdout.decode().splitlines() if len(line.split()) >= 2]
