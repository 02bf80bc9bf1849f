"""Problems found in a guide file, each with its line, and the refusal that lists them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evenhand.errors import EvenhandError, InputError, Location


@dataclass(frozen=True, slots=True)
class GuideProblem:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.reason}"


class GuideRefusedError(EvenhandError):
    """The guide is not loaded; every problem found is listed with its line."""

    def __init__(self, source: str, problems: list[GuideProblem]) -> None:
        ordered = sorted(problems, key=lambda problem: problem.line)
        listing = "\n".join(f"  {source}, {problem}" for problem in ordered)
        super().__init__(
            InputError.BAD_GUIDE,
            f"the guide is refused ({len(ordered)} problem(s)):\n{listing}",
            where=Location(Path(source), ordered[0].line, ordered[0].field or None),
        )
        self.problems = ordered

    def __str__(self) -> str:
        return self.message


# A problem's field and reason are cut to these, whatever a guide holds (a key of a
# megabyte, a value an alias bomb expands): a refusal stays a few lines long.
FIELD_CHARS = 80
REASON_CHARS = 600


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


@dataclass(slots=True)
class Problems:
    found: list[GuideProblem] = field(default_factory=list)

    def add(self, line: int, field_name: str, reason: str) -> None:
        self.found.append(
            GuideProblem(line, _cut(field_name, FIELD_CHARS), _cut(reason, REASON_CHARS))
        )
