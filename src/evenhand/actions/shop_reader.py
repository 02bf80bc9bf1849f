"""The shop reader's use cases: learn one from the shop's labelled history (with the
side-by-side comparison), adopt a version (or the built-in reader back), list the adoptions,
and load the reader in force for triage, the API and the worker."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from evenhand.actions.intent_corrections import corrected_tickets
from evenhand.actions.reader import Announce, reader_models
from evenhand.errors import EvenhandError, InputError, LookupFailure
from evenhand.ingest.labelled_tickets import read_labelled
from evenhand.settings import Settings, reader_folder
from evenhand.store.audit import record_event
from evenhand.store.database import ensure_current, make_engine
from evenhand.store.reader_adoptions import adopt_reader, adopted_reader, reader_history
from evenhand.understand.model import Intent, Message
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.shop_artefact import (
    load_shop_reader,
    shop_reader,
    shop_reader_path,
    stored_versions,
)
from evenhand.understand.shop_data import ShopHistory, ShopRow, mapped, read_mapping
from evenhand.understand.shop_mapping import Suggestion, suggest
from evenhand.understand.shop_scheme import built_in_readings, scheme_reading

BUILT_IN = "built-in"


@dataclass(frozen=True, slots=True)
class Joined:
    """Agents' corrections joined to the shop's history."""

    history: ShopHistory
    added: int  # corrected messages added as rows
    replaced: int  # rows of the file whose message an agent corrected: the agent's intent


def read_history(path: Path, mapping: Path | None = None) -> tuple[str, ShopHistory]:
    """The file's format and its rows mapped to intents (a CSV's labels, tickets' tags)."""
    labelled = read_labelled(path)
    lookup = read_mapping(mapping) if mapping else None
    history = mapped(labelled.tickets, lookup, tags=labelled.kind != "csv")
    return labelled.kind, replace(history, not_the_customers=labelled.not_the_customers)


def with_corrections(history: ShopHistory, engine: Engine) -> Joined:
    """The history and every message an agent corrected the intent of (its latest
    correction); a corrected message already in the file takes the agent's intent."""
    corrections = corrected_tickets(engine)
    by_message = {(c.subject or "", c.body.strip()): Intent(c.intent) for c in corrections}
    rows, replaced = [], 0
    for row in history.rows:
        corrected = by_message.pop((row.subject or "", row.text.strip()), None)
        replaced += corrected is not None
        rows.append(ShopRow(row.text, corrected, row.subject, row.line) if corrected else row)
    rows += [
        ShopRow(text, intent, subject or None) for (subject, text), intent in by_message.items()
    ]
    joined = replace(history, rows=tuple(rows))
    return Joined(joined, added=len(by_message), replaced=replaced)


@dataclass(frozen=True, slots=True)
class Learnt:
    version: str
    history: ShopHistory
    details: dict[str, Any]  # what the artefact keeps: rows, left-out labels, the comparison


def learn_shop_reader(
    settings: Settings,
    *,
    path: Path,
    mapping: Path | None,
    announce: Announce | None = None,
    corrections: bool = False,
) -> Learnt:
    """Read the history (and, with `corrections`, join the agents' intent corrections from
    the database), compare the readers under cross-validation on its rows, train the shop
    reader on every row and store it beside the built-in one."""
    from evenhand.understand.shop_training import (  # noqa: PLC0415 (scikit-learn)
        compare,
        counted_texts,
        start_model,
        train_shop_intent_model,
    )

    kind, history = read_history(path, mapping)
    joined: dict[str, int] = {}
    if corrections:
        found = _corrections_joined(history, settings)
        history, joined = found.history, {"added": found.added, "replaced": found.replaced}
    if len(history.rows) < 2:
        raise EvenhandError(InputError.MISSING_VALUE, "fewer than two labelled rows to learn from")
    models = reader_models(settings, announce=announce)
    if announce:
        announce(f"{len(history.rows)} rows: cross-validating the built-in and the shop reader ...")
    counted = counted_texts(history.rows)  # the corpus and the rows counted once for every fit
    gold = [row.intent.value for row in history.rows]
    # the built-in n-gram model's readings, from which the shop's scheme is read (once)
    read_as = (
        built_in_readings(start_model(models), history.rows) if history.scheme is not None else []
    )
    comparison = compare(
        models, history.rows, counted=counted, scheme=history.scheme, read_as=read_as
    )
    scheme = scheme_reading(history.scheme, gold, read_as)
    intent = train_shop_intent_model(
        history.rows, start=start_model(models), counted=counted, scheme=scheme
    )
    details = {
        "rows": len(history.rows),
        "scheme": scheme.as_json(),
        "source": kind,
        "left_out": history.left_out,
        "unlabelled": history.unlabelled,
        "ambiguous": history.ambiguous,
        "not_the_customers": history.not_the_customers,
        "corrections": joined,
        "history": history.fingerprint[:16],
        "comparison": comparison.as_json(),
    }
    version = save_version(intent, details, settings)
    return Learnt(version=version, history=history, details=details)


def reads_better(details: dict[str, Any]) -> bool:
    """Whether the shop reader read the shop's rows at least as well as the built-in reader
    under cross-validation (macro-F1): what `learn --adopt` asks before adopting it."""
    comparison = details["comparison"]
    return bool(comparison["shop"]["macro_f1"] >= comparison["built_in"]["macro_f1"])


def _corrections_joined(history: ShopHistory, settings: Settings) -> Joined:
    """The corrections in the settings' database; none when it is not there yet."""
    url = make_url(settings.db)
    if url.drivername.startswith("sqlite") and not Path(url.database or "").exists():
        return Joined(history, 0, 0)
    engine = make_engine(settings.db)
    ensure_current(engine)
    return with_corrections(history, engine)


def suggest_mapping(
    settings: Settings, *, path: Path, announce: Announce | None = None
) -> Suggestion:
    """A mapping proposed from the file's labels (or tags) and the built-in reader's readings
    of their messages."""
    labelled = read_labelled(path)
    reader = EmbeddedReader(reader_models(settings, announce=announce))
    messages = [Message(body=each.text, subject=each.subject) for each in labelled.tickets]
    readings = [reading.intent for reading in reader.read_many(messages)]
    return suggest([each.labels for each in labelled.tickets], readings, source=path.name)


def save_version(intent: Any, details: dict[str, Any], settings: Settings) -> str:
    from evenhand.understand.shop_artefact import save_shop_reader  # noqa: PLC0415

    return save_shop_reader(intent, details, reader_folder(settings))


def adopt_version(
    engine: Engine, settings: Settings, *, version: str, by: str, now: datetime
) -> dict[str, Any]:
    """From now on messages are read by this shop reader ("built-in": the built-in reader);
    refused if no such version is stored. Returns the figures it is adopted on."""
    figures: dict[str, Any] = {}
    folder = reader_folder(settings)
    if version != BUILT_IN:
        if not shop_reader_path(folder, version).exists():
            stored = ", ".join(stored_versions(folder)) or "none"
            raise EvenhandError(
                LookupFailure.NO_SUCH_PATH, f"no shop reader {version!r} (stored: {stored})"
            )
        figures = load_shop_reader(folder, version).details
    ensure_current(engine)
    with engine.begin() as connection:
        adopt_reader(connection, version=version, by=by, figures=figures, now=now)
        record_event(connection, at=now, action="reader adopt", subject=version, details={"by": by})
    return figures


def adoptions(engine: Engine) -> list[dict[str, Any]]:
    """Every adoption, newest first (the first is in force), with its figures."""
    ensure_current(engine)
    with engine.connect() as connection:
        return reader_history(connection)


@dataclass(frozen=True, slots=True)
class ReaderBoard:
    """What the managers' reader page shows."""

    in_force: str  # "built-in" or a shop reader's version
    adoptions: list[dict[str, Any]]  # newest first, with their figures
    stored: dict[str, dict[str, Any]]  # every shop reader learnt here -> its figures


def reader_board(engine: Engine, settings: Settings) -> ReaderBoard:
    """The reader in force, the adoptions' history and the shop readers stored."""
    history = adoptions(engine)
    folder = reader_folder(settings)
    stored = {version: _figures(folder, version) for version in stored_versions(folder)}
    in_force = history[0]["version"] if history else BUILT_IN
    return ReaderBoard(in_force=in_force, adoptions=history, stored=stored)


def _figures(folder: Path, version: str) -> dict[str, Any]:
    try:
        return load_shop_reader(folder, version).details
    except (OSError, ValueError, KeyError):  # a damaged file: shown as such, not adoptable
        return {"unreadable": True}


def adopted_version(settings: Settings) -> str | None:
    """The shop reader in force, if one is (none: the built-in reader; also when the
    database is not there or not migrated yet)."""
    url = make_url(settings.db)
    if url.drivername.startswith("sqlite") and not Path(url.database or "").exists():
        return None  # not created yet (and not to be created by looking)
    try:
        with make_engine(settings.db).connect() as connection:
            version = adopted_reader(connection)
    except (EvenhandError, SQLAlchemyError):
        return None
    return None if version in (None, BUILT_IN) else version


def reader_in_force(
    settings: Settings, *, announce: Announce | None = None
) -> EmbeddedReader | None:
    """The adopted shop reader, or None when the built-in reader reads."""
    version = adopted_version(settings)
    if version is None:
        return None
    stored = load_shop_reader(reader_folder(settings), version)
    return shop_reader(
        reader_models(settings, announce=announce),
        stored.intent,
        name=f"shop:{version}",
        threshold=settings.intent_threshold,
        second_opinion_in=stored.second_opinion_in,
    )
