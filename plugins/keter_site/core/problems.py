"""Problem reports: what an editor must fix, with the file, the line and the fix.

Any plugin reports a problem with `report(path, message, fix, line)`. The checks plugin starts a
fresh list when a build starts (it is first in keter_site.STEPS, and Pelican calls the receivers of a
signal in the order they were connected), and stops the build with every problem at once,
sorted by file, before anything is written.
"""

from dataclasses import dataclass
from pathlib import Path


PELICAN_PREFIX = "Pelican reported: "


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # the file to open, relative to the project when possible ("" if none)
    message: str  # what is wrong, in plain words
    fix: str = ""  # how to fix it
    line: int = 0  # 1-based line number, 0 if not known

    def describe(self) -> str:
        where = self.path or "(site settings)"
        if self.line:
            where = f"{where}:{self.line}"
        text = f"{where}: {self.message}"
        return f"{text}\n    How to fix: {self.fix}" if self.fix else text


class ContentProblems(Exception):
    """Raised to stop the build; Pelican prints the message and exits non-zero."""

    exitcode = 1

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [p.describe() for p in problems]
        count = len(problems)
        heading = f"The site was not built: {count} problem{'s' if count != 1 else ''} to fix."
        super().__init__("\n".join([heading, *lines]))


class ProblemCollector:
    def __init__(self) -> None:
        self.root: Path | None = None
        self.content: Path | None = None
        self.problems: list[Problem] = []

    def reset(self, root: str | Path, content: str | Path) -> None:
        self.root = Path(root)
        self.content = Path(content)
        self.problems = []

    def relative(self, path: str | Path | None) -> str:
        if not path:
            return ""
        path = Path(path)
        if not path.is_absolute() and self.content and (self.content / path).exists():
            # Pelican names files relative to the content folder; editors think in project paths.
            path = self.content / path
        if self.root and path.is_absolute():
            try:
                return str(path.relative_to(self.root))
            except ValueError:
                return str(path)
        return str(path)

    def add(self, problem: Problem) -> None:
        problem = Problem(self.relative(problem.path), problem.message, problem.fix, problem.line)
        if problem not in self.problems:
            self.problems.append(problem)

    def raise_if_any(self) -> None:
        if self.problems:
            # Pelican's own message about a file adds nothing when we already explain that file.
            explained = {p.path for p in self.problems if not p.message.startswith(PELICAN_PREFIX) and p.path}
            mentions = explained | {str(self.root / path) for path in explained if self.root}
            problems = sorted(p for p in self.problems if not (
                p.message.startswith(PELICAN_PREFIX)
                and (p.path in explained or any(path in p.message for path in mentions))))
            self.problems = []
            raise ContentProblems(problems)


_collector = ProblemCollector()


def collector() -> "ProblemCollector":
    """The one problem list of the running build (the checks plugin starts and raises it)."""
    return _collector


def report(path: str | Path | None, message: str, fix: str = "", line: int | None = 0) -> None:
    """Report one problem: `path` is the file to open (absolute, project- or content-relative),
    `message` what is wrong in plain words, `fix` how to fix it, `line` 1-based (0: unknown)."""
    _collector.add(Problem(str(path or ""), message, fix, int(line or 0)))
