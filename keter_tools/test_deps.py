"""Install what the test suite (or, with `ensure_for_checks`, the site's checks) needs and the machine lacks: Debian
packages and the npm packages of package.json. Safe to run again: it installs only what is missing."""

import fcntl
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

from keter_site.core.project import ROOT


# Debian package -> the program it provides.
DEBIAN_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "chromium-headless-shell": "/usr/bin/chromium-headless-shell",  # the browser tests' Chromium
    "fonts-noto-core": "/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf",
    "default-jre-headless": "/usr/bin/java",  # the Nu Html Checker (vnu.jar)
    # The deploy tests: a real web server, SSH server and client, and rsync.
    "nginx-light": "/usr/sbin/nginx",
    "openssh-server": "/usr/sbin/sshd",
    "openssh-client": "/usr/bin/ssh",
    "rsync": "/usr/bin/rsync",
    "poppler-utils": "/usr/bin/pdftoppm",  # the print test: a printout's pages as images
}


# What `invoke check` and `invoke publish` need: Java and the npm packages (the HTML checker).
CHECK_PACKAGES = ("default-jre-headless",)


# The locks apt and dpkg hold while they install (fcntl locks, as apt takes them), and how long
# to wait for another installation to finish before giving up with a message.
PACKAGE_LOCKS = ("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock", "/var/lib/apt/lists/lock",
                 "/var/cache/apt/archives/lock")
LOCK_WAIT_SECONDS = 600


def _held(path: str) -> bool:
    """Whether another process holds the lock file at `path`."""
    try:
        descriptor = os.open(path, os.O_RDWR)
    except OSError:
        return False  # no such lock file (or none we may open): nothing to wait for
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(descriptor)  # closing it lets go of the lock at once
    return False


def wait_for_package_manager(locks: Iterable[str] = PACKAGE_LOCKS, seconds: int = LOCK_WAIT_SECONDS,
                             out: Callable[[str], object] = print, poll: float = 1.0) -> None:
    """Wait, at most `seconds`, while another installation holds the package manager's locks;
    say so once. Raises SystemExit with what to do when it is still held."""
    deadline = time.monotonic() + seconds
    said = False
    while True:
        held = [path for path in locks if _held(path)]
        if not held:
            return
        if not said:
            out(f"Waiting for another package installation to finish (it holds {held[0]}), "
                f"at most {seconds // 60 or 1} min ...")
            said = True
        if time.monotonic() >= deadline:
            raise SystemExit(f"Another package installation still holds {held[0]} after {seconds} s. "
                             "Let it finish (or stop it), then run the command again.")
        time.sleep(poll)


def _apt(*arguments: str, env: Mapping[str, str] | None = None) -> None:
    """apt-get, once no other installation holds its locks (and apt itself waits for dpkg's, in
    the moment between); a failure ends with apt's own message, not a traceback."""
    wait_for_package_manager()
    command = ["apt-get", "-o", f"DPkg::Lock::Timeout={LOCK_WAIT_SECONDS}", *arguments]
    if os.geteuid() != 0:  # installing needs root: through sudo, which asks for the password
        if not shutil.which("sudo"):
            raise SystemExit(f"Installing Debian packages needs root: run `sudo {' '.join(command)}`, "
                             "or this command as root.")
        # `env` sets the variable for apt-get: sudo's default policy does not keep the caller's.
        command = ["sudo", "env", "DEBIAN_FRONTEND=noninteractive", *command]
    if subprocess.run(command, env=env).returncode != 0:
        raise SystemExit(f"`{' '.join(command)}` failed (its message is above).")


def _missing_debian(only: Collection[str] | None = None) -> list[str]:
    return [pkg for pkg, path in DEBIAN_PACKAGES.items() if (only is None or pkg in only) and not Path(path).exists()]


def ensure_for_checks() -> None:
    """Install what the site's checks need (Java, npm packages) when missing: on a fresh machine
    `invoke check` and `invoke publish` work without a manual step."""
    ensure(only=CHECK_PACKAGES)


def ensure(only: Collection[str] | None = None) -> None:
    """Install the Debian packages (all, or `only` these) and npm packages the tests need and the machine lacks."""
    missing = _missing_debian(only)
    if missing:
        print(f"Installing Debian packages the tests need: {', '.join(missing)}")
        _apt("update", "-qq")
        _apt("install", "-y", "-qq", "--no-install-recommends", *missing,
             env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    ensure_npm()


def ensure_npm() -> None:
    """The npm packages of package-lock.json (npm ci), when they are missing or out of date."""
    lock, stamp = ROOT / "package-lock.json", ROOT / "node_modules" / ".installed-from-lock"
    if not stamp.exists() or stamp.read_bytes() != lock.read_bytes():
        print("Installing npm packages the tests need (npm ci)")
        subprocess.run([shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
        stamp.write_bytes(lock.read_bytes())
