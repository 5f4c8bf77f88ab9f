"""Install what the test suite (or, with `ensure_for_checks`, the site's checks) needs and the
machine lacks: Debian packages (Chromium for the browser tests, Java for the HTML checker) and
the npm packages in package.json. Safe to run again: it installs only what is missing."""

import shutil
import subprocess
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
}


# What `invoke check` and `invoke publish` need: Java and the npm packages (the HTML checker).
CHECK_PACKAGES = ("default-jre-headless",)


def _missing_debian(only=None):
    return [pkg for pkg, path in DEBIAN_PACKAGES.items() if (only is None or pkg in only) and not Path(path).exists()]


def ensure_for_checks():
    """Install what the site's checks need (Java, npm packages) when missing: on a fresh machine
    `invoke check` and `invoke publish` work without a manual step."""
    ensure(only=CHECK_PACKAGES)


def ensure(only=None):
    missing = _missing_debian(only)
    if missing:
        print(f"Installing Debian packages the tests need: {', '.join(missing)}")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                       check=True, env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    ensure_npm()


def ensure_npm():
    """The npm packages of package-lock.json (npm ci), when they are missing or out of date."""
    lock, stamp = ROOT / "package-lock.json", ROOT / "node_modules" / ".installed-from-lock"
    if not stamp.exists() or stamp.read_bytes() != lock.read_bytes():
        print("Installing npm packages the tests need (npm ci)")
        subprocess.run([shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
        stamp.write_bytes(lock.read_bytes())
