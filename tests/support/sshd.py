"""A real OpenSSH server (Debian's openssh-server) on 127.0.0.1, for the rsync deploy tests.

It runs from a temporary folder with its own host key, a client key made for it, and a
known_hosts file, so the client checks the host key strictly and nothing in ~/.ssh is used.
"""

import contextlib
import getpass
import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .processes import listening_socket, socket_activated, stop_process

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "/usr/bin/ssh-keygen"


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
    # sshd cannot bind port 0: it is handed a socket on a port the kernel chose.
    listener = listening_socket()
    port = listener.getsockname()[1]
    known_hosts = base / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_key.with_suffix('.pub').read_text()}")
    config = base / "sshd_config"
    home = base / "home"
    home.mkdir(exist_ok=True)
    config.write_text("\n".join([
        "ListenAddress 127.0.0.1", f"Port {port}", f"HostKey {host_key}",
        f"AuthorizedKeysFile {authorized}", f"PidFile {base / 'sshd.pid'}",
        "StrictModes no", "UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "PubkeyAuthentication yes", "PermitRootLogin prohibit-password", "LogLevel ERROR",
        # rsync over ssh runs `rsync --server` through the login shell; nothing else is needed.
        "Subsystem sftp internal-sftp",
        # The login shell starts in a home of the server's own: the test user's shell start-up
        # files (a version manager's set-up, say) are no part of the server and would run at
        # every ssh command a publish makes.
        f"SetEnv HOME={home}", "",
    ]))
    if os.geteuid() == 0:
        # Privilege separation needs this folder; a container without systemd lacks it.
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    log = open(base / "sshd.log", "w")
    command, fds = socket_activated([SSHD, "-D", "-e", "-f", config], listener)
    with listener:  # the server holds it now; connections wait in its queue until sshd accepts
        process = subprocess.Popen(command, pass_fds=fds, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield SshServer(port, getpass.getuser(), client_key, known_hosts)
    finally:
        stop_process(process, log)
