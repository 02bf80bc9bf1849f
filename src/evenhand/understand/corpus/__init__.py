"""The labelled corpus of support messages, Swedish and English.

`seeds_*.jsonl` hold hand-written messages: 46 per intent and language, and after them
the messages of later fresh batches (read by the reader as it stood, then added to the
training split; each says `"split": "train"`). Each seed is
composed (deterministically, seed 7) into variants as they arrive in real inboxes: with or
without a greeting, an order number, a product, a sign-off; in capitals or lower case;
with a typo; some with a threat sentence from `threats_*.jsonl` added. A quarter of the first
46 seeds of every intent and language, and 88 of the threat sentences, form the
held-out split (each threat sentence says which split it is in): nothing the reader trains
or is tuned on comes from them.

`train_t*.jsonl` are later batches, each written apart by its own method and writer
(`README.md` says how): {"id", "language", "intent", "signals", "text"}. The seeds of
`train_t0` are composed into variants like the seeds above; the messages of the other
batches are already written as they arrive and are taken as written, once. Every
`HELD_OUT_EVERY`th message of each intent and language of a batch (in file order) is held
out, so the held-out split covers every intent.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

from evenhand.understand.model import Intent, SignalKind

SEED = 7
HELD_OUT_EVERY = 4  # the 4th, 8th, ... seed of each intent and language is held out
VARIANTS_PER_SEED = 2
THREAT_SHARE = 0.3


class Split(StrEnum):
    TRAIN = "train"
    HELD_OUT = "held_out"


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    language: str
    intent: Intent
    subject: str | None
    body: str
    signals: tuple[SignalKind, ...]
    split: Split
    seed_id: str
    threat: str | None = None  # the threat sentence composed into it, if any


def _lines(name: str) -> list[dict[str, Any]]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def seed_messages() -> list[dict[str, Any]]:
    """The hand-written messages: {"id", "language", "intent", "text"}."""
    return _lines("seeds_sv.jsonl") + _lines("seeds_en.jsonl")


# The batches whose rows are seeds, composed like the hand-written ones; the others are
# taken as written.
SEED_BATCHES = frozenset({"train_t0.jsonl"})


def batch_files() -> list[str]:
    """The later batches' files, in order."""
    folder = resources.files(__package__)
    names = [p.name for p in folder.iterdir() if p.name.startswith("train_t")]
    return sorted(names, key=lambda name: int("".join(c for c in name if c.isdigit()) or 0))


def batch_messages(name: str) -> list[dict[str, Any]]:
    """A batch's rows, each with its split (every `HELD_OUT_EVERY`th of an intent and
    language, in file order, is held out)."""
    counts: dict[tuple[str, str], int] = {}
    rows = []
    for row in _lines(name):
        key = (row["language"], row["intent"])
        counts[key] = counts.get(key, 0) + 1
        held_out = counts[key] % HELD_OUT_EVERY == 0
        rows.append({**row, "split": (Split.HELD_OUT if held_out else Split.TRAIN).value})
    return rows


def threat_sentences() -> list[dict[str, Any]]:
    """The hand-written threat sentences: {"language", "signals", "text", "split"}."""
    return _lines("threats_sv.jsonl") + _lines("threats_en.jsonl")


GREETINGS = {
    "sv": ("Hej!", "Hej,", "Hejsan", "Hej Nordhem,", "Hallå", "God morgon,", ""),
    "en": ("Hi,", "Hello,", "Hi there!", "Hey", "Dear Nordhem,", "Good morning,", ""),
}
ORDER_MENTIONS = {
    "sv": ("Ordernummer #{n}.", "Det gäller order #{n}.", "(order {n})", "Beställning #{n}"),
    "en": ("Order number #{n}.", "This is about order #{n}.", "(order {n})", "Order #{n}"),
}
SIGN_OFFS = {
    "sv": (
        "Mvh Anna",
        "Med vänliga hälsningar\nErik Larsson",
        "Tack på förhand!",
        "/Maja",
        "Hälsningar\nKarin",
        "",
    ),
    "en": (
        "Thanks, Olivia",
        "Kind regards\nJames Brown",
        "Thanks in advance!",
        "- Laura",
        "Best,\nDaniel",
        "",
    ),
}
SUBJECTS = {
    "sv": ("Min beställning", "Fråga om order", "Hjälp!", "Kundtjänst", None, None),
    "en": ("My order", "Question about order", "Help!", "Customer service", None, None),
}


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    long_words = [i for i, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    word = words[i]
    k = rng.randrange(1, len(word) - 2)
    words[i] = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    return " ".join(words)


def _styled(rng: random.Random, text: str) -> str:
    style = rng.random()
    if style < 0.12:
        return text.upper()
    if style < 0.3:
        return text.lower().rstrip(".!?")
    if style < 0.5:
        return _typo(rng, text)
    return text


def _compose(
    rng: random.Random, seed: dict[str, Any], *, threat: str | None
) -> tuple[str | None, str]:
    language = seed["language"]
    parts = [rng.choice(GREETINGS[language]), _styled(rng, seed["text"])]
    if rng.random() < 0.4:
        parts.append(rng.choice(ORDER_MENTIONS[language]).format(n=rng.randrange(10_001, 12_000)))
    if threat:
        parts.append(threat)
    parts.append(rng.choice(SIGN_OFFS[language]))
    separator = "\n\n" if rng.random() < 0.5 else "\n"
    return rng.choice(SUBJECTS[language]), separator.join(part for part in parts if part)


def _threat_pool(split: Split, rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """The split's threat sentences per language, shuffled; each one is used in turn."""
    pool: dict[str, list[dict[str, Any]]] = {"sv": [], "en": []}
    for threat in threat_sentences():
        if Split(threat["split"]) is split:
            pool[threat["language"]].append(threat)
    for threats in pool.values():
        rng.shuffle(threats)
    return pool


def seed_split(seed: dict[str, Any]) -> Split:
    """A seed that names its split is in it (the later batches, all training); the others
    by their number: every `HELD_OUT_EVERY`th is held out."""
    if "split" in seed:
        return Split(seed["split"])
    number = int(seed["id"].rsplit("-", 1)[1])
    return Split.HELD_OUT if number % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 else Split.TRAIN


def load_corpus() -> list[Example]:
    """Every example of both splits, the same on every run: the composed seeds, then the
    batches' messages as written."""
    examples = _composed(seed_messages() + _batch_seeds())
    for name in batch_files():
        if name not in SEED_BATCHES:
            examples.extend(_as_written(row) for row in batch_messages(name))
    return examples


def _batch_seeds() -> list[dict[str, Any]]:
    return [
        row for name in sorted(SEED_BATCHES & set(batch_files())) for row in batch_messages(name)
    ]


def _as_written(row: dict[str, Any]) -> Example:
    return Example(
        id=row["id"],
        language=row["language"],
        intent=Intent(row["intent"]),
        subject=None,
        body=row["text"],
        signals=tuple(SignalKind(kind) for kind in row.get("signals", [])),
        split=Split(row["split"]),
        seed_id=row["id"],
    )


def _composed(seeds: list[dict[str, Any]]) -> list[Example]:
    """The seeds composed into variants. Each split is composed from its own random stream,
    so that adding to one split (training threats, say) leaves the other's messages as they
    were."""
    streams = {split: random.Random(f"{SEED}:{split.value}") for split in Split}
    threats = {split: _threat_pool(split, streams[split]) for split in Split}
    used = {(split, language): 0 for split in Split for language in ("sv", "en")}
    examples = []
    for seed in seeds:
        split = seed_split(seed)
        rng = streams[split]
        for variant in range(VARIANTS_PER_SEED):
            threat = None
            if rng.random() < THREAT_SHARE:
                pool, key = threats[split][seed["language"]], (split, seed["language"])
                threat, used[key] = pool[used[key] % len(pool)], used[key] + 1
            subject, body = _compose(rng, seed, threat=threat["text"] if threat else None)
            examples.append(
                Example(
                    id=f"{seed['id']}-{variant}",
                    language=seed["language"],
                    intent=Intent(seed["intent"]),
                    subject=subject,
                    body=body,
                    signals=tuple(SignalKind(kind) for kind in threat["signals"]) if threat else (),
                    split=split,
                    seed_id=seed["id"],
                    threat=threat["text"] if threat else None,
                )
            )
    return examples
