"""Publish to a server over SSH with rsync, as atomic releases (the layout: docs/deploying.md): visitors see the old
site or the new one, never a mix, and an interrupted upload leaves `current` as it was.
"""

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from keter_site.core import fingerprints
from keter_site.core.files import owner_gone

from .common import DeployError, Plan, Progress, Release, Summary
from .headers import HOST_FILES, NGINX_CONF_NAME, site_files

# rsync's line per item: its itemized change, the bytes sent, its name. Naming the bytes (%b)
# makes rsync write the line once the file is sent, not before it starts: the progress counts
# what was sent.
OUT_FORMAT = "%i %b %n"
ITEM = re.compile(r"^([<>ch.*][fdLDS]\S*|\*deleting)\s+\d+\s(.*)$")
SENT = ("<f", ">f")  # rsync's itemized code of a file it sends ("<f" when pushing to a server)


@dataclass
class RemoteState:
    """The server's side before a publish: its releases, the live one, and its nginx configuration's hash."""

    current: str = ""                     # release name `current` points to ("" if none)
    releases: list[str] = field(default_factory=list)
    nginx_sha256: str = ""


SSH_FOLDER = "keter-ssh-"


class RsyncTarget:
    """A server reached over SSH, publishing into a new release folder and switching to it at once."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.host = config.get("host") or ""
        if not self.host:
            raise DeployError("No server to publish to: set DEPLOY_SSH_HOST (and DEPLOY_SSH_USER, "
                              "DEPLOY_PATH) in the environment, or DEPLOY_RSYNC in publishconf.py.")
        self.user = config.get("user") or ""
        self.port = str(config.get("port") or "")
        self.path = str(config.get("path") or "").rstrip("/")
        if not self.path:
            raise DeployError("DEPLOY_PATH is empty: set the folder on the server that holds the releases.")
        self.keep = max(2, int(config.get("keep") or 5))
        self.options = shlex.split(config.get("options") or "")
        self.nginx_reload = config.get("nginx_reload") or ""
        # SSH settings and credentials are the user's own: ssh-agent or keys, ~/.ssh/config, or RSYNC_RSH.
        self.ssh = shlex.split(os.environ.get("RSYNC_RSH") or "ssh") + (["-p", self.port] if self.port else [])
        self.login = f"{self.user}@{self.host}" if self.user else self.host

    @property
    def destination(self) -> str:
        """Where this target publishes, as the plan, the summary and the publish log name it."""
        return f"{self.login}:{self.path}"

    # --- the server ------------------------------------------------------------------------
    @contextlib.contextmanager
    def _connection(self) -> Iterator[None]:
        """One SSH login for the whole publish: every later ssh and rsync goes through it
        (OpenSSH connection sharing), instead of logging in again for each step."""
        # Named by this process: a publish killed before it could remove its folder has it
        # removed by the next one (a publish stopped with Ctrl+C or `kill` removes its own).
        for abandoned in Path(tempfile.gettempdir()).glob(f"{SSH_FOLDER}*"):
            if owner_gone(abandoned.name, SSH_FOLDER):
                shutil.rmtree(abandoned, ignore_errors=True)
        own = self.ssh
        folder = tempfile.mkdtemp(prefix=f"{SSH_FOLDER}{os.getpid()}-")
        try:
            control = ["-o", f"ControlPath={folder}/master"]
            with open(os.path.join(folder, "log"), "w+b") as log:
                # -f: back to us once logged in; the shared connection closes itself when idle.
                master = subprocess.run([*own, *control, "-o", "ControlMaster=yes", "-o", "ControlPersist=30",
                                         "-f", "-N", self.login], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=log, timeout=120)
                log.seek(0)
                if master.returncode != 0:
                    raise DeployError(f"Could not log in to {self.login} with ssh: "
                                      f"{log.read().decode(errors='replace').strip()}")
            self.ssh = [*own, *control, "-o", "ControlMaster=no"]
            yield
        finally:
            self.ssh = own
            try:
                subprocess.run([*own, "-o", f"ControlPath={folder}/master", "-O", "exit", self.login],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=30)
            finally:  # even when a second Ctrl+C or kill stops the line above
                shutil.rmtree(folder, ignore_errors=True)

    def _remote(self, script: str, stdin: bytes | None = None, what: str = "run a command on the server") -> str:
        """Run a POSIX shell script on the server; DeployError with ssh's message on failure."""
        command = [*self.ssh, self.login, "sh -c " + shlex.quote("set -e; " + script)]
        try:
            result = subprocess.run(command, input=stdin, capture_output=True, timeout=300)
        except subprocess.TimeoutExpired as error:
            raise DeployError(f"Could not {what}: ssh timed out after 300 s. The live site was not changed.") from error
        if result.returncode != 0:
            message = result.stderr.decode(errors="replace").strip()
            raise DeployError(f"Could not {what} ({self.login}): {message or 'ssh exit ' + str(result.returncode)}")
        return result.stdout.decode(errors="replace")

    def _state(self) -> RemoteState:
        path = shlex.quote(self.path)
        output = self._remote(
            f"cd -- {path} 2>/dev/null || exit 0; "
            "echo \"current=$(readlink current 2>/dev/null || true)\"; "
            "for r in releases/*; do if [ -d \"$r\" ]; then echo \"release=${r#releases/}\"; fi; done; "
            f"if [ -f nginx/{NGINX_CONF_NAME} ]; then "
            f"echo \"nginx=$(sha256sum < nginx/{NGINX_CONF_NAME} | cut -d' ' -f1)\"; fi",
            what=f"read the releases in {self.path} on the server")
        state = RemoteState()
        for line in output.splitlines():
            key, _, value = line.partition("=")
            if key == "current" and value:
                state.current = value.rstrip("/").rsplit("/", 1)[-1]
            elif key == "release":
                state.releases.append(value)
            elif key == "nginx":
                state.nginx_sha256 = value.strip()
        state.releases.sort()
        return state

    def _switch_script(self, release: str, prune: Iterable[str] = ()) -> str:
        """Point `current` at `release` atomically: a new link, renamed over the old one."""
        script = (f"cd -- {shlex.quote(self.path)}; ln -sfn {shlex.quote('releases/' + release)} current.tmp; "
                  "mv -T current.tmp current")
        if prune:
            script += "; rm -rf -- " + " ".join(shlex.quote(f"releases/{name}") for name in prune)
        return script

    # --- rsync -----------------------------------------------------------------------------
    def _rsync(self, site: str | Path, destination: str, extra: Sequence[str] = (),
               progress: Progress | None = None) -> list[tuple[str, str]]:
        command = ["rsync", "-rlp", "--checksum", "--chmod=D755,F644", f"--out-format={OUT_FORMAT}",
                   "--outbuf=L", "-e", shlex.join(self.ssh),
                   *[f"--exclude=/{name}" for name in HOST_FILES], *self.options, *extra,
                   f"{site}/", f"{self.login}:{destination}/"]
        items: list[tuple[str, str]] = []
        other: list[str] = []
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, errors="replace")
        assert process.stdout is not None  # stdout=PIPE
        try:
            for line in process.stdout:
                match = ITEM.match(line.rstrip("\n"))
                if match:
                    items.append((match.group(1), match.group(2)))
                    if progress and match.group(1).startswith(SENT):
                        progress.advance()
                elif line.strip():
                    other.append(line.rstrip())
            returncode = process.wait()
        except BaseException:
            process.kill()
            process.wait()
            raise
        if returncode != 0:
            raise DeployError(f"rsync failed (exit {returncode}): " + "\n".join(other[-15:])
                              + "\nThe live site was not changed.")
        return items

    def _plan(self, site: Path, state: RemoteState) -> Plan:
        files = site_files(site)
        if not state.current:
            return Plan(send=files)
        items = self._rsync(site, f"{self.path}/current", ["--dry-run", "--delete"])
        send = sorted(name for code, name in items if code.startswith(SENT))
        remove = sorted(name for code, name in items if code == "*deleting" and not name.endswith("/"))
        sending = set(send)
        return Plan(send=send, unchanged=[f for f in files if f not in sending], remove=remove)

    # --- publish and roll back ---------------------------------------------------------------
    def publish(self, site: Path, nginx_conf: str, dry_run: bool = False) -> Summary | None:
        """Upload the site as a new release and switch to it (None for a dry run, which only prints the plan)."""
        with self._connection():
            return self._publish(site, nginx_conf.encode(), dry_run)

    def _publish(self, site: Path, conf: bytes, dry_run: bool) -> Summary | None:
        state = self._state()
        plan = self._plan(site, state)
        print(plan.describe(self.destination))
        conf_changed = fingerprints.of_bytes(conf) != state.nginx_sha256
        if dry_run:
            if conf_changed:
                print(f"  nginx configuration {self.path}/nginx/{NGINX_CONF_NAME} would be updated.")
            print("Dry run: nothing was sent and nothing on the server changed.")
            return None

        release = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        number = 1
        while release in state.releases:  # two publishes in one second
            number += 1
            release = release.split("-")[0] + f"-{number}"
        incoming = f"releases/.incoming-{release}"
        # A killed publish leaves an .incoming folder behind: it was never live; remove it.
        self._remote(f"mkdir -p -- {shlex.quote(self.path)}/releases; cd -- {shlex.quote(self.path)}; "
                     "rm -rf releases/.incoming-*", what=f"prepare {self.path} on the server")
        print(f"Uploading release {release} to {self.destination} ...")
        # Files unchanged since the live release are hard links to it: a release costs only what changed.
        link = ["--link-dest", f"../{state.current}"] if state.current else []
        progress = Progress(len(plan.send))
        items = self._rsync(site, f"{self.path}/{incoming}", link, progress)
        sent = sum(1 for code, _ in items if code.startswith(SENT))

        releases = sorted(state.releases + [release])
        keep = set(releases[-self.keep:]) | {release}
        prune = [name for name in releases if name not in keep and name != state.current]
        self._remote(f"cd -- {shlex.quote(self.path)}; mv -T {shlex.quote(incoming)} "
                     f"{shlex.quote('releases/' + release)}; " + self._switch_script(release, prune),
                     what="switch the site to the new release")
        print(f"The site now serves release {release}"
                 + (f"; removed old releases {', '.join(prune)}." if prune else "."))
        if conf_changed:
            self._update_nginx(conf)
        return Summary(sent, len(plan.unchanged), len(plan.remove), self.destination, release)

    def _update_nginx(self, conf: bytes) -> None:
        target = f"nginx/{NGINX_CONF_NAME}"
        self._remote(f"cd -- {shlex.quote(self.path)}; mkdir -p nginx; cat > {target}.tmp; mv -f {target}.tmp {target}",
                     stdin=conf, what="upload the nginx configuration")
        if self.nginx_reload:
            self._remote(self.nginx_reload, what=f"reload nginx with {self.nginx_reload!r}")
            print(f"Updated {self.path}/{target} and reloaded nginx.")
        else:
            print(f"Updated {self.path}/{target}: reload nginx on the server to apply it "
                     "(or set DEPLOY_NGINX_RELOAD, for example \"sudo systemctl reload nginx\").")

    def releases(self) -> list[Release]:
        """[{name, when, live}] of the releases on the server, newest first: `when` is the UTC
        time of its publish (from its name), `live` whether `current` points at it."""
        with self._connection():
            state = self._state()
        found: list[Release] = []
        for name in reversed(state.releases):
            try:
                when = datetime.strptime(name.split("-")[0], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            except ValueError:  # a folder not made by a publish: listed, without a time
                when = None
            found.append({"name": name, "when": when.isoformat() if when else "", "live": name == state.current})
        return found

    def rollback(self, to: str | None = None) -> str:
        """Switch `current` back to release `to` (default: the one before it); returns the release now live."""
        with self._connection():
            return self._rollback(to)

    def _rollback(self, to: str | None) -> str:
        state = self._state()
        if not state.current:
            raise DeployError(f"Nothing to roll back: {self.destination}/current does not exist yet.")
        if to:
            if to not in state.releases:
                raise DeployError(f"No release {to!r} on the server; there are: {', '.join(state.releases)}.")
            target = to
        else:
            earlier = [name for name in state.releases if name < state.current]
            if not earlier:
                raise DeployError(f"No release older than {state.current} is left to roll back to.")
            target = earlier[-1]
        self._remote(self._switch_script(target), what="switch the site back")
        print(f"Rolled back {self.destination}: current is now release {target} (was {state.current}).")
        return target
