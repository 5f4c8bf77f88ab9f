"""Server processes on 127.0.0.1 without a race for the port: a server asked for port 0 gets one the kernel chose, read
back from its log, so no port is found free and then lost to another program before the server takes it."""

import contextlib
import re
import subprocess
import time
from pathlib import Path
from typing import IO, Any

POLL_SECONDS = 0.05


def wait_for_reported_port(log_path: str | Path, pattern: str, process: subprocess.Popen[Any], timeout: float = 15,
                           what: str = "server") -> int:
    """The port a server prints once it listens: the first match of `pattern` (one group, the
    port) in its log file."""
    expression = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(FileNotFoundError):
            found = expression.search(Path(log_path).read_text(encoding="utf-8", errors="replace"))
            if found:
                return int(found.group(1))
        if process.poll() is not None:
            raise RuntimeError(f"the {what} exited with {process.returncode} before it listened; see {log_path}")
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"the {what} did not report its address within {timeout} s; see {log_path}")


def stop_process(process: subprocess.Popen[Any], log: IO[Any] | None = None) -> None:
    """Stop a server process (decap-server, the tests' servers): politely, then firmly; both waits are bounded."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    if log:
        log.close()
