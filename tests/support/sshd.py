"""A real OpenSSH server (Debian's openssh-server) on 127.0.0.1, for the rsync deploy tests.

It runs from a temporary folder with its own host key, a client key made for it, and a
known_hosts file, so the client checks the host key strictly and nothing in ~/.ssh is used.
"""

import contextlib
import getpass
import os
import shlex
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "/usr/bin/ssh-keygen"


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


@dataclass
class SshServer:
    port: int
    user: str
    key: Path
    known_hosts: Path

    @property
    def rsync_rsh(self):
        """The ssh command (RSYNC_RSH) that reaches this server with the test's key only."""
        return shlex.join(["ssh", "-F", "/dev/null", "-i", str(self.key), "-o", "IdentitiesOnly=yes",
                           "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "StrictHostKeyChecking=yes",
                           "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"])


def _keygen(path):
    subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True, timeout=30)


@contextlib.contextmanager
def ssh_server(base):
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    host_key, client_key = base / "host_key", base / "client_key"
    _keygen(host_key)
    _keygen(client_key)
    authorized = base / "authorized_keys"
    authorized.write_text(client_key.with_suffix(".pub").read_text())
    port = free_port()
    known_hosts = base / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_key.with_suffix('.pub').read_text()}")
    config = base / "sshd_config"
    config.write_text("\n".join([
        "ListenAddress 127.0.0.1", f"Port {port}", f"HostKey {host_key}",
        f"AuthorizedKeysFile {authorized}", f"PidFile {base / 'sshd.pid'}",
        "StrictModes no", "UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "PubkeyAuthentication yes", "PermitRootLogin prohibit-password", "LogLevel ERROR",
        # rsync over ssh runs `rsync --server` through the login shell; nothing else is needed.
        "Subsystem sftp internal-sftp", "",
    ]))
    if os.geteuid() == 0:
        # Privilege separation needs this folder; a container without systemd lacks it.
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    log = open(base / "sshd.log", "w")
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, what="ssh server")
        yield SshServer(port, getpass.getuser(), client_key, known_hosts)
    finally:
        stop_process(process, log)
