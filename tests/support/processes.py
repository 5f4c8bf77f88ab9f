"""Servers the tests start as processes (the live preview, decap-server, sshd, nginx and s3rver) on 127.0.0.1,
without a race for the port: a port found free and then handed over can be taken in between (by another test worker)."""

import socket
from collections.abc import Sequence

# The tests stop their servers, and read a server's port from its log, as the tooling does.
from keter_tools.processes import stop_process, wait_for_reported_port  # noqa: F401


# A server binds port 0 itself, its port read back from the kernel (keter_tools.processes) or its log
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
