"""Servers on 127.0.0.1 without a race for the port: a server asked for port 0 gets one the kernel chose, read back from
the kernel or from its log, so no port is found free and then lost to another program before the server takes it."""

import contextlib
import os
import re
import subprocess
import time
from pathlib import Path
from typing import IO, Any

POLL_SECONDS = 0.05
LISTEN = "0A"  # the LISTEN state in the kernel's socket tables


def listening_ports(pid: int) -> set[int]:
    """The TCP ports the process `pid` listens on, as Linux reports them: the socket inodes
    among its open files, looked up in its network namespace's socket tables."""
    inodes = set()
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):  # a file closed while we read the folder
                target = os.readlink(entry.path)
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:["):-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == LISTEN and fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


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
