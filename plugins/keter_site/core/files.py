"""A file written whole or not at all; a temporary folder whose process is gone."""

import os
import tempfile
from pathlib import Path


def replace_whole(path: str | Path, data: bytes) -> None:
    """Write `data` (bytes) to `path` through a new file beside it that then takes its place:
    a reader, or another process writing the same file at the same time, never sees half of it."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def owner_gone(name: str, prefix: str) -> bool:
    """Whether the temporary folder `name` (`<prefix><pid>-...`, named by the process that made
    it) was left by a process that has ended: a build or publish killed before its clean-up."""
    pid = name[len(prefix):].split("-", 1)[0] if name.startswith(prefix) else ""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False

