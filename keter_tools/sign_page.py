"""`bin/invoke review --approve PAGE` and `--release PAGE`: the physician signs the page's current covered text with
their own key; the reviewer is whoever the allowed signers list for that key, never a name typed on the command line.
"""

import re
import tempfile
from collections.abc import Mapping
from datetime import date
from typing import Any
from pathlib import Path

from keter_site.medical_review import approvals, material, records, signing


class Refused(Exception):
    """Nothing was signed: why, and what to do."""


def _signing_key(signers: signing.Signers, key_file: str | Path | None) -> tuple[signing.Signer, Path | None, bool]:
    """(signer, key file for ssh-keygen, whether the agent signs)."""
    by_key = {signer.key: signer for signer in signers.by_principal.values()}
    if key_file:
        path = Path(key_file).expanduser()
        if not path.is_file():
            raise Refused(f"{path}: no such key file.")
        use_agent = path.suffix == ".pub"
        public = signing.public_key_of(path, use_agent)
        if public not in by_key:
            raise Refused(f"the key {signing.key_fingerprint(public)} ({path}) is not in the allowed signers "
                          f"({signers.path}). Add its public key there first ({signing.GUIDE}).")
        return by_key[public], path, use_agent
    listed = [key for key in signing.agent_keys() if key in by_key]
    if not listed:
        raise Refused("no key of a listed reviewer is in ssh-agent. Add yours (`ssh-add ~/.ssh/keter_review`), "
                      f"or name it with --key PATH ({signing.GUIDE}).")
    return by_key[listed[0]], None, True


def _document_fingerprint(document: str | Path, key: str) -> str | None:
    try:
        text = Path(document).read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(rf'<section class="page" id="{re.escape(key)}" data-fingerprint="([0-9a-f]+)"', text)
    return match.group(1) if match else None


def sign(settings: Mapping[str, Any], key: str, kind: str, key_file: str | Path | None = None,
         document: str | Path | None = None, today: date | None = None) -> tuple[Path, signing.Signer]:
    """Sign the approval (or release) of page `key`; returns (record path, signer)."""
    from keter_tools import readiness

    signers, problems = approvals.load_signers(settings)
    if problems:
        problem = problems[0]
        raise Refused(f"{problem.path}:{problem.line}: {problem.message}")
    status = next((s for s in readiness.pages(settings, today, signers) if s.key == key), None)
    if status is None:
        raise Refused(f"'{key}' is not a page of the site (bin/invoke status lists them).")
    signer, path, use_agent = _signing_key(signers, key_file)
    texts = material.texts(settings, status.files)
    current = material.fingerprint(texts)
    if kind == "approval":
        if not status.medical:
            raise Refused(f"'{key}' is not a medical page (`medical: true`), so there is nothing to approve.")
        # Only text the review document (as `review --pending` wrote it) showed is signed: a change made after the
        # document was written is never approved unread.
        if document is not None and _document_fingerprint(document, key) != current:
            raise Refused(f"{document} does not show the current text of '{key}' (it changed after the document was "
                          "made, or the page was not in it). Make the document again (`bin/invoke review "
                          "--pending`), read the page there, then approve it.")
    elif status.medical:
        raise Refused(f"'{key}' is still marked `medical: true`. Remove that line first; then the release "
                      "takes the page out of medical review.")
    on = (today or date.today()).isoformat()
    data = signing.message(kind, key, current, signer.principal, on)
    with tempfile.TemporaryDirectory(prefix="keter-key-") as tmp:
        if path is None:
            path = Path(tmp) / "agent.pub"
            path.write_text(signer.key + "\n", encoding="utf-8")
        try:
            signature = signing.sign(data, path, use_agent)
        except signing.SigningError as error:
            raise Refused(f"ssh-keygen could not sign: {error}")
    record: records.Record = {"kind": kind, "page": key, "reviewer": signer.principal, "reviewed_on": on,
              "fingerprint": current, "signature": signature, "text": dict(sorted(texts.items()))}
    if not signing.verify(data, signature, signer.principal, signers.data):
        raise Refused("the signature made does not verify against the allowed signers; nothing was written.")
    return records.write_record(settings["REVIEWS_PATH"], key, record), signer
