"""A shop reader's stored form: its intent model and the figures it was learnt with, in one
file beside the built-in reader's artefact (`shop-reader-VERSION.npz`, arrays and JSON only).
The version is the hash of the file's content, so the same rows on the same built-in reader
give the same version, and a version names exactly one model."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evenhand.understand import artefact
from evenhand.understand.approach import Approach
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.intent_model import IntentModel
from evenhand.understand.linear import LinearTextModel
from evenhand.understand.model import Intent
from evenhand.understand.reader import EmbeddedReader

PREFIX = "shop-reader-"
VERSION_LENGTH = 16


@dataclass(frozen=True, slots=True)
class ShopReaderFile:
    version: str
    path: Path
    intent: LinearTextModel
    details: dict[str, Any]  # the rows' count, left-out labels, the comparison's figures

    @property
    def second_opinion_in(self) -> dict[Intent, Intent]:
        """The shop's scheme the built-in second opinion is read in (none before it was kept)."""
        relabelled = (self.details.get("scheme") or {}).get("relabelled") or {}
        return {Intent(intent): Intent(label) for intent, label in relabelled.items()}


def shop_reader_path(folder: Path, version: str) -> Path:
    return folder / f"{PREFIX}{version}.npz"


def save_shop_reader(intent: LinearTextModel, details: dict[str, Any], folder: Path) -> str:
    """Write the model and its details; returns its version (the content's hash)."""
    arrays: dict[str, Any] = {}
    spec = artefact._put_text_model(arrays, "intent", intent)
    meta = {"format": artefact.FORMAT, "intent": spec, "details": details}
    arrays["meta"] = artefact._text_array(json.dumps(meta, sort_keys=True))
    buffer = io.BytesIO()
    np.savez(buffer, **dict(sorted(arrays.items())))
    content = buffer.getvalue()
    version = _content_hash(arrays)
    folder.mkdir(parents=True, exist_ok=True)
    target = shop_reader_path(folder, version)
    if not target.exists():
        artefact._write(target, lambda file: file.write(content))
    return version


def _content_hash(arrays: dict[str, Any]) -> str:
    """The hash of the arrays' names, shapes, types and bytes (not of the zip's timestamps)."""
    digest = hashlib.sha256()
    for name, array in sorted(arrays.items()):
        value = np.ascontiguousarray(array)
        digest.update(f"\x1e{name}\x1f{value.dtype.str}{value.shape}\x1f".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()[:VERSION_LENGTH]


def load_shop_reader(folder: Path, version: str) -> ShopReaderFile:
    path = shop_reader_path(folder, version)
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    meta = json.loads(artefact._text(arrays["meta"]))
    intent = artefact._text_model(arrays, "intent", meta["intent"])
    return ShopReaderFile(version=version, path=path, intent=intent, details=meta["details"])


def stored_versions(folder: Path) -> list[str]:
    return sorted(p.stem.removeprefix(PREFIX) for p in folder.glob(f"{PREFIX}*.npz"))


def shop_reader(
    models: ReaderModels,
    intent: LinearTextModel,
    *,
    name: str = "shop",
    threshold: float | None = None,
    second_opinion_in: Mapping[Intent, Intent] | None = None,
) -> EmbeddedReader:
    """The built-in reader with the shop's intent model as its first intent stage: the
    built-in e5 model still gives its second opinion where that stage is unsure (the cascade;
    on a history written freely, not from templates, the n-gram stage alone read worse than
    the built-in reader), its intents read in the shop's scheme (`second_opinion_in`, from
    `shop_scheme`); language and threat signals stay the built-in reader's."""
    return EmbeddedReader(
        models,
        threshold=threshold,
        approach=Approach.CASCADE_E5,
        intent_model=IntentModel(approach=Approach.CASCADE_E5, classifier=intent),
        name=name,
        second_opinion_in=second_opinion_in,
    )
