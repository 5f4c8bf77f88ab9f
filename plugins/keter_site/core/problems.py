"""Problems: what an editor must fix, with the file, the line and the fix; the one shape of a problem everywhere
(the build, data files, front matter, readiness, the publish checks), so every report reads the same."""

from dataclasses import dataclass, replace
from pathlib import Path


PELICAN_PREFIX = "Pelican reported: "


@dataclass(frozen=True, order=True)
class Problem:
    """One thing to fix; sorted by file, then by line."""

    path: str  # the file to open, relative to the project when possible ("" if none)
    message: str  # what is wrong, in plain words
    fix: str = ""  # how to fix it
    line: int = 0  # 1-based line number, 0 if not known

    def where(self) -> str:
        """`path:line` (the settings when no file is named, no line when none is known)."""
        where = self.path or "(site settings)"
        return f"{where}:{self.line}" if self.line else where

    def describe(self) -> str:
        """`path:line: message` and, on its own line, how to fix it (the build's report)."""
        text = f"{self.where()}: {self.message}"
        return f"{text}\n    How to fix: {self.fix}" if self.fix else text

    def one_line(self) -> str:
        """`path:line: message fix` on one line (the editor's and the tools' messages)."""
        return f"{self.where()}: {self.message} {self.fix}".rstrip()

    def __str__(self) -> str:
        return self.one_line()

    def at(self, path: str | Path) -> "Problem":
        """The problem of a text, named as the problem of the file `path`."""
        return replace(self, path=str(path))


class ContentProblems(Exception):
    """Raised to stop the build; Pelican prints the message and exits non-zero."""

    exitcode = 1

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [p.describe() for p in problems]
        count = len(problems)
        heading = f"The site was not built: {count} problem{'s' if count != 1 else ''} to fix."
        super().__init__("\n".join([heading, *lines]))


class ProblemList:
    """One build's problems, each file named relative to the project, each problem once."""

    def __init__(self, root: str | Path, content: str | Path) -> None:
        self.root = Path(root)
        self.content = Path(content)
        self.problems: list[Problem] = []

    def relative(self, path: str | Path | None) -> str:
        """A file's name as editors think of it: relative to the project when it is inside."""
        if not path:
            return ""
        path = Path(path)
        if not path.is_absolute() and (self.content / path).exists():
            # Pelican names files relative to the content folder; editors think in project paths.
            path = self.content / path
        return str(path.relative_to(self.root) if path.is_relative_to(self.root) else path)

    def add(self, problem: Problem) -> None:
        """Keep `problem` (once), its file named relative to the project."""
        problem = Problem(self.relative(problem.path), problem.message, problem.fix, problem.line)
        if problem not in self.problems:
            self.problems.append(problem)

    def raise_if_any(self) -> None:
        """Stop the build with every problem so far, if there is any."""
        if self.problems:
            # Pelican's own message about a file adds nothing when we already explain that file.
            explained = {p.path for p in self.problems if not p.message.startswith(PELICAN_PREFIX) and p.path}
            mentions = explained | {str(self.root / path) for path in explained}
            problems = sorted(p for p in self.problems if not (
                p.message.startswith(PELICAN_PREFIX)
                and (p.path in explained or any(path in p.message for path in mentions))))
            self.problems = []
            raise ContentProblems(problems)
