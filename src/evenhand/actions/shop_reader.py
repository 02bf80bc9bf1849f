"""The shop reader's use cases: learn one from the shop's labelled history (with the
side-by-side comparison), adopt a version (or the built-in reader back), list the adoptions,
and load the reader in force for triage, the API and the worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from evenhand.actions.reader import Announce, reader_models
from evenhand.errors import EvenhandError, InputError, LookupFailure
from evenhand.settings import Settings, reader_folder
from evenhand.store.audit import record_event
from evenhand.store.database import ensure_current, make_engine
from evenhand.store.reader_adoptions import adopt_reader, adopted_reader, reader_history
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.shop_artefact import (
    load_shop_reader,
    shop_reader,
    shop_reader_path,
    stored_versions,
)
from evenhand.understand.shop_data import ShopHistory, read_history, read_mapping

BUILT_IN = "built-in"


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
) -> Learnt:
    """Read the history, compare the readers under cross-validation on its rows, train the
    shop reader on every row and store it beside the built-in one."""
    from evenhand.understand.shop_training import (  # noqa: PLC0415 (scikit-learn)
        compare,
        train_shop_intent_model,
    )

    history = read_history(path, read_mapping(mapping) if mapping else None)
    if len(history.rows) < 2:
        raise EvenhandError(InputError.MISSING_VALUE, "fewer than two labelled rows to learn from")
    models = reader_models(settings, announce=announce)
    if announce:
        announce(f"{len(history.rows)} rows: cross-validating the built-in and the shop reader ...")
    comparison = compare(models, history.rows)
    intent = train_shop_intent_model(history.rows)
    details = {
        "rows": len(history.rows),
        "left_out": history.left_out,
        "history": history.fingerprint[:16],
        "comparison": comparison.as_json(),
    }
    version = save_version(intent, details, settings)
    return Learnt(version=version, history=history, details=details)


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
    )
