"""The default reader from its built artefact: `evenhand reader build` makes it once per
corpus, recipe and library versions; commands load it in milliseconds."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from evenhand.errors import EvenhandError, SetupError
from evenhand.settings import Settings, reader_folder
from evenhand.understand import artefact
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.model import Message, Reader
from evenhand.understand.reader import EmbeddedReader

Announce = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ReaderBuild:
    path: Path
    fingerprint: str
    built: bool  # False: it was current already
    seconds: float
    size: int


def build_reader(settings: Settings, *, force: bool = False) -> ReaderBuild:
    """Train every model of the default reader and write its artefact, unless the current
    one is there already (`force`: train anyway)."""
    path = artefact.artefact_path(reader_folder(settings))
    started = time.perf_counter()
    built = force or not artefact.is_built(reader_folder(settings))
    if built:
        _train_and_save(reader_folder(settings))
    return ReaderBuild(
        path=path,
        fingerprint=artefact.fingerprint(),
        built=built,
        seconds=time.perf_counter() - started,
        size=path.stat().st_size,
    )


def load_reader(settings: Settings, *, announce: Announce | None = None) -> Reader:
    """The reader in force: the adopted shop reader if there is one (`evenhand reader
    adopt`), else the built-in one at the settings' threshold (see `reader_models`); with
    `llm_mode` on, the LLM reader around it (`actions.llm`)."""
    from evenhand.actions.llm import with_llm  # noqa: PLC0415 (imports this module's users)

    return with_llm(base_reader(settings, announce=announce), settings)


def base_reader(settings: Settings, *, announce: Announce | None = None) -> EmbeddedReader:
    """The adopted shop reader, or the built-in one at the settings' threshold."""
    from evenhand.actions.shop_reader import reader_in_force  # noqa: PLC0415 (imports this)

    adopted = reader_in_force(settings, announce=announce)
    if adopted is not None:
        return adopted
    models = reader_models(settings, announce=announce)
    return EmbeddedReader(models, threshold=settings.intent_threshold)


def reader_models(settings: Settings, *, announce: Announce | None = None) -> ReaderModels:
    """The built models. A missing or stale artefact is built first, with one line to
    `announce`; without `announce` (the service), it is refused with the command to run."""
    folder = reader_folder(settings)
    path = artefact.artefact_path(folder)
    if artefact.is_built(folder):
        return _load(path)
    if announce is None:
        raise EvenhandError(
            SetupError.READER_NOT_BUILT,
            f"the reader's models are not built for this corpus ({path} is missing): "
            "run `evenhand reader build` first",
        )
    announce(f"building the reader's models once for this corpus, into {folder} ...")
    return _train_and_save(folder)


def warm_up(reader: Reader, *, market: str) -> None:
    """Read two messages before taking any (one unsure, so the e5 encoder loads now, not in
    the first customer's answer), then keep what is built once out of the garbage
    collector's full passes, which would otherwise pause the process now and then. An LLM
    reader's own reader is warmed: the endpoint is not asked."""
    reader = getattr(reader, "base", reader)
    reader.read_many(
        [
            Message(body="Hej, var är mitt paket?", market=market),
            Message(body="Hello, a question about my thing", market=market),
        ]
    )
    gc.collect()
    gc.freeze()


@cache
def _load(path: Path) -> ReaderModels:
    return artefact.load(path)


def _train_and_save(folder: Path) -> ReaderModels:
    from evenhand.understand.training import train_reader_models  # noqa: PLC0415 (scikit-learn)

    models = train_reader_models()
    artefact.save(models, folder)
    return models


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    path: Path
    fingerprint: str
    built: bool

    def as_json(self) -> dict[str, object]:
        return {"path": str(self.path), "fingerprint": self.fingerprint, "built": self.built}


def reader_status(settings: Settings) -> ReaderStatus:
    path = artefact.artefact_path(reader_folder(settings))
    built = artefact.is_built(reader_folder(settings))
    return ReaderStatus(path=path, fingerprint=artefact.fingerprint(), built=built)
