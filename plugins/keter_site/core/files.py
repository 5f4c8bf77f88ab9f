"""A file written whole or not at all."""

import os
import tempfile
from pathlib import Path


def replace_whole(path, data):
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
