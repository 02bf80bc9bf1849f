"""A mapping proposed from the shop's labelled history (`evenhand reader suggest-mapping`):
for each label or tag, how many messages carry it and what the built-in reader read in
them. A label whose messages mostly read as one intent is proposed as that intent, with its
share; one whose messages scatter (no intent reaches `CLEAR_SHARE`), or with too few
messages to say, is proposed as `~` (left out) for a person to review.

A proposal is a start, not an answer: the built-in reader is what the shop reader is meant
to beat, so a label it reads badly is exactly the one to check by hand."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from evenhand.understand.model import Intent

CLEAR_SHARE = 0.5  # below this share of one intent, a label's messages scatter
UNSURE = 0.4  # from this share read as `other`, the built-in reader is unsure: review
OUT_OF_SCOPE = 0.75  # from this share read as `other`, the label is out of scope: other
FEWEST = 3  # below this many messages, a label is not proposed
SHOWN = 3  # the intents shown beside a label


@dataclass(frozen=True, slots=True)
class LabelReading:
    label: str
    messages: int
    readings: tuple[tuple[str, int], ...]  # intent -> messages, most read first

    def count(self, intent: str) -> int:
        return dict(self.readings).get(intent, 0)

    @property
    def top(self) -> tuple[str, int]:
        """The intent read most often other than `other`, and how often."""
        found = [(intent, n) for intent, n in self.readings if intent != Intent.OTHER.value]
        return found[0] if found else (Intent.OTHER.value, 0)

    @property
    def share(self) -> float:
        return self.top[1] / self.messages

    @property
    def unsure(self) -> float:
        """The share of its messages the built-in reader sent to `other`."""
        return self.count(Intent.OTHER.value) / self.messages

    @property
    def proposed(self) -> Intent | None:
        """The intent proposed, or None: leave out and review (see `review_reason`)."""
        if self.label in {intent.value for intent in Intent}:
            return Intent(self.label)  # already an intent's name
        if self.review_reason:
            return None
        return Intent.OTHER if self.unsure >= OUT_OF_SCOPE else Intent(self.top[0])

    @property
    def review_reason(self) -> str | None:
        if self.messages < FEWEST:
            return "too few messages"
        if self.unsure >= OUT_OF_SCOPE:
            return None  # out of scope: other
        if self.unsure >= UNSURE:
            return "the built-in reader is unsure of them"
        if self.share < CLEAR_SHARE:
            return "its messages scatter"
        return None

    def as_json(self) -> dict[str, object]:
        proposed = self.proposed
        return {
            "label": self.label,
            "messages": self.messages,
            "intent": proposed.value if proposed else None,
            "share": round(self.share, 4),
            "readings": dict(self.readings[:SHOWN]),
            "review": proposed is None,
            "why": self.review_reason if proposed is None else None,
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    source: str  # the file it was read from
    messages: int
    labels: tuple[LabelReading, ...]  # most messages first

    def as_json(self) -> dict[str, object]:
        mapping = {each.label: each.proposed and each.proposed.value for each in self.labels}
        return {
            "source": self.source,
            "messages": self.messages,
            "labels": [each.as_json() for each in self.labels],
            "mapping": mapping,
        }

    def as_yaml(self) -> str:
        """The mapping as a YAML file the user can save and edit: clear labels first, then
        those to review as `~`, each with its figures in a comment."""
        lines = [
            f"# Proposed by `evenhand reader suggest-mapping` from {self.messages} messages of",
            f"# {self.source}: each label or tag with the intent the built-in reader read most",
            "# often in its messages, and how often. Check every line before you learn from it.",
            "# `~` leaves a label out: its messages scatter, the built-in reader is unsure of",
            "# them, or there are too few; review them.",
        ]
        clear = [each for each in self.labels if each.proposed is not None]
        review = [each for each in self.labels if each.proposed is None]
        lines += [_line(each) for each in clear]
        if review:
            lines.append("# leave out / review:")
            lines += [_line(each) for each in review]
        return "\n".join(lines) + "\n"


def _line(reading: LabelReading) -> str:
    proposed = reading.proposed
    key = yaml.safe_dump(reading.label, allow_unicode=True).removesuffix("\n...\n").strip()
    value = proposed.value if proposed else "~"
    tops = ", ".join(
        f"{intent} {count / reading.messages:.0%}" for intent, count in reading.readings[:SHOWN]
    )
    why = f" ({reading.review_reason})" if proposed is None else ""
    return f"{key}: {value}".ljust(44) + f"  # {reading.messages} messages; read as {tops}{why}"


def suggest(
    labels: Sequence[Sequence[str]], readings: Sequence[Intent], *, source: str
) -> Suggestion:
    """From each message's labels and the built-in reader's reading of it."""
    read: dict[str, Counter[str]] = defaultdict(Counter)
    for carried, intent in zip(labels, readings, strict=True):
        for label in dict.fromkeys(carried):
            read[label][intent.value] += 1
    found = [
        LabelReading(
            label=label,
            messages=sum(counts.values()),
            readings=tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0]))),
        )
        for label, counts in read.items()
    ]
    found.sort(key=lambda each: (-each.messages, each.label))
    return Suggestion(source=source, messages=len(readings), labels=tuple(found))
