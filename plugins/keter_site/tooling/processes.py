"""Servers the tests start as processes (sshd, nginx, s3rver): a free port on 127.0.0.1, a
bounded wait for the server to listen, and a bounded stop."""

import contextlib
import socket
import subprocess
import time


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process, log=None):
    """Stop a server the tests started: politely, then firmly; both waits are bounded."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    if log:
        log.close()


def wait_for_port(port, process, timeout=15, what="server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the {what} exited with {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise TimeoutError(f"the {what} did not listen on 127.0.0.1:{port} within {timeout} s")
