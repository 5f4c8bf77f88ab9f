"""Servers the tests start as processes (the live preview, decap-server, sshd, nginx and s3rver) on 127.0.0.1,
without a race for the port: a port found free and then handed over can be taken in between (by another test worker)."""

import contextlib
import os
import socket
from collections.abc import Sequence
from pathlib import Path

# The tests stop their servers, and read a server's port from its log, as the tooling does.
from keter_tools.processes import stop_process, wait_for_reported_port  # noqa: F401

LISTEN = "0A"  # the LISTEN state in the kernel's socket tables


# A server binds port 0 itself, its port read back from the kernel (`listening_ports`) or its log
# (`wait_for_reported_port`); nginx and sshd cannot, so the caller binds port 0 and hands them the socket itself.
def listening_socket() -> socket.socket:
    """A socket listening on 127.0.0.1 at a port the kernel chose, for the server that will use it (nginx: `NGINX`
    variable; sshd: `socket_activated`): the port is never free in between."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def socket_activated(command: Sequence[object], sock: socket.socket) -> tuple[list[str], tuple[int]]:
    """The arguments and file descriptors for subprocess.Popen that start `command` with `sock` as systemd hands one over
    (file descriptor 3, LISTEN_FDS=1, LISTEN_PID its own), which Debian's sshd accepts."""
    fd = sock.fileno()
    # bash, not sh: Debian's sh (dash) cannot name a file descriptor above 9.
    move = "" if fd == 3 else f"exec 3<&{fd} {fd}<&-; "
    # The shell knows the pid the server will have: `exec` keeps it.
    script = move + 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"'
    return ["bash", "-c", script, "bash", *map(str, command)], (fd,)


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
