"""What every deploy target shares: the plan, the progress line and the closing summary; how a publishing command
ends when it is refused or stopped."""

import contextlib
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterator
from types import FrameType
from typing import Protocol, TypedDict


class DeployError(Exception):
    """A publish that cannot go on; the message says what to do. The live site is untouched."""


INTERRUPTED = ("Interrupted. The live site changes only in the publish's last step (the switch to the "
               "new release, or the upload of changed pages to the bucket), so it was left as it was "
               "unless that step had begun. Run the publish again to finish it.")


@dataclass
class Plan:
    """What a publish will do, file by file (paths relative to the site root)."""

    send: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)

    def describe(self, destination: str, limit: int = 40) -> str:
        """The plan as the publish prints it before acting: counts, then the first `limit` paths of each kind."""
        lines = [f"Plan for {destination}: send {len(self.send)}, unchanged {len(self.unchanged)}, "
                 f"remove {len(self.remove)}."]
        for label, paths in (("send", self.send), ("remove", self.remove)):
            for path in paths[:limit]:
                lines.append(f"  {label:6} {path}")
            if len(paths) > limit:
                lines.append(f"  {label:6} ... and {len(paths) - limit} more")
        return "\n".join(lines)


@dataclass
class Summary:
    """What a publish did, for its closing line and the publish log."""

    sent: int
    unchanged: int
    removed: int
    destination: str
    release: str = ""  # the target's name for what it now serves (rsync: the release folder)
    seconds: float = 0.0  # the whole publish's, build included: the pipeline sets it

    def line(self) -> str:
        """The publish's closing line, as printed and kept in the publish log."""
        return (f"Published to {self.destination}: {self.sent} sent, {self.unchanged} unchanged, "
                f"{self.removed} removed, in {self.seconds:.1f} s.")


class Progress:
    """"sent N of M files", rewritten in place on a terminal; in a log, about every tenth."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.stream = sys.stdout
        self.tty = self.stream.isatty()
        self.step = max(1, total // 10)
        self.lock = threading.Lock()

    def advance(self, count: int = 1) -> None:
        """Count `count` more files sent (from any upload thread) and show the count."""
        with self.lock:
            self.done += count
            if self.tty:
                end = "\n" if self.done >= self.total else ""
                self.stream.write(f"\rsent {self.done} of {self.total} files{end}")
            elif self.done % self.step == 0 or self.done >= self.total:
                self.stream.write(f"sent {self.done} of {self.total} files\n")
            self.stream.flush()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def deploying() -> Iterator[None]:
    """A publish, rollback or build as a command: a `kill` (SIGTERM) stops it as Ctrl+C does (every step's own clean-up
    runs); a refusal is said on stderr and exits 1, a stop exits 130."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    except DeployError as error:
        print(error, file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        print(f"\n{INTERRUPTED}", file=sys.stderr)
        raise SystemExit(130) from None


class Release(TypedDict):
    """A release a target keeps, as `rollback --list` and the site desk show it."""

    name: str
    when: str  # its publish's UTC time, ISO 8601; "" for a folder no publish made
    live: bool


class Target(Protocol):
    """What the pipeline asks of a deploy target (rsync_target.RsyncTarget, s3_target.S3Target)."""

    @property
    def destination(self) -> str:
        """Where the target publishes, as the plan, the summary and the publish log name it."""

    def publish(self, site: Path, nginx_conf: str, dry_run: bool = False) -> Summary | None:
        """Send the site and make it live in one last step; None for a dry run, which only prints the plan."""

    def releases(self) -> list[Release]:
        """The releases the target keeps, newest first; DeployError for a target that keeps none."""

    def rollback(self, to: str | None = None) -> str:
        """Make release `to` (default: the one before the live one) live again; returns its name."""
