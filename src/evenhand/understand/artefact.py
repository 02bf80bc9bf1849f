"""The reader's trained models as one file: built once by `evenhand reader build`, loaded in
milliseconds with NumPy alone.

The file is named by its fingerprint, which covers what the models are made from: the
corpus (every file of `understand/corpus`, the e5 embeddings included), the recipe (the
source of the modules that train, and this file's layout version) and the versions of the
libraries that fit them. A changed corpus or recipe names another file, so a stale
artefact is never loaded; `docs/adr/0001-reader-artefact.md` says why it lives in a cache
folder and not in the package.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from evenhand.understand.approach import Approach
from evenhand.understand.embedding_model import EmbeddingIntentModel
from evenhand.understand.intent_model import IntentModel
from evenhand.understand.language import load_language_model, save_language_model
from evenhand.understand.linear import (
    Analyser,
    CueBlock,
    FeatureBlock,
    LinearModel,
    LinearTextModel,
    TfidfBlock,
)
from evenhand.understand.signal_model import SentenceModels, sentence_models

FORMAT = 1
_HERE = Path(__file__).parent
# The modules whose code decides what the models learn (the corpus, its composition, the
# cleaning, the features and the fitting).
RECIPE = (
    "augment.py",
    "clean.py",
    "corpus/__init__.py",
    "cues.py",
    "embedding_model.py",
    "features.py",
    "intent_model.py",
    "knobs.py",
    "sentences.py",
    "signal_model.py",
    "training.py",
)
LIBRARIES = ("scikit-learn", "numpy", "scipy", "selectolax", "py3langid")
KEEP_BUILDS = 4  # artefacts of other corpora kept in the folder (other checkouts use them)


@dataclass(frozen=True)
class ReaderModels:
    """What the embedded reader runs on."""

    intent: IntentModel  # the n-gram model (char+word n-grams and cue counts)
    second_opinion: EmbeddingIntentModel  # e5 embeddings, asked where the first is unsure
    signal_ngrams: LinearTextModel  # the sentence classifiers of the threat signals
    signal_e5: LinearModel
    language: Any  # py3langid's identifier, limited to the languages we tell apart

    @cached_property
    def signals(self) -> SentenceModels:
        """The signal readers made of the two sentence classifiers."""
        return sentence_models(self.signal_ngrams, self.signal_e5)


@cache
def fingerprint() -> str:
    """The hash of everything the models are made from (computed once per process)."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for name in RECIPE:
        digest.update(f"\x1e{name}\x1f".encode() + (_HERE / name).read_bytes())
    for path in sorted((_HERE / "corpus").iterdir()):
        if path.is_file() and path.suffix in {".jsonl", ".npz"}:
            digest.update(f"\x1e{path.name}\x1f".encode() + path.read_bytes())
    for library in LIBRARIES:
        digest.update(f"\x1e{library} {metadata.version(library)}".encode())
    return digest.hexdigest()


def artefact_path(folder: Path) -> Path:
    """Where the artefact of today's corpus, recipe and libraries is (or would be)."""
    return folder / f"reader-{fingerprint()[:20]}.npz"


def language_path(folder: Path) -> Path:
    """Where py3langid's model is kept unpacked (it changes only with py3langid)."""
    return folder / f"language-py3langid-{metadata.version('py3langid')}-{FORMAT}"


def is_built(folder: Path) -> bool:
    return artefact_path(folder).exists() and language_path(folder).exists()


def save(models: ReaderModels, folder: Path) -> Path:
    """Write the models (atomically) under their fingerprint; older builds beyond the last
    few are removed."""
    arrays: dict[str, Any] = {}
    specs = {
        "intent": _put_text_model(arrays, "intent", _plain(models.intent)),
        "second_opinion": _put_model(arrays, "second_opinion", models.second_opinion.classifier),
        "signal_ngrams": _put_text_model(arrays, "signal_ngrams", models.signal_ngrams),
        "signal_e5": _put_model(arrays, "signal_e5", models.signal_e5),
    }
    meta = {"format": FORMAT, "fingerprint": fingerprint(), "models": specs}
    arrays["meta"] = _text_array(json.dumps(meta))
    folder.mkdir(parents=True, exist_ok=True)
    target = artefact_path(folder)
    _write(target, lambda file: np.savez_compressed(file, **arrays))
    if not language_path(folder).exists():
        _write_folder(
            language_path(folder), lambda into: save_language_model(models.language, into)
        )
    _prune(folder, keep=target)
    return target


def _write_folder(target: Path, write: Callable[[Path], None]) -> None:
    """Write a folder whole or not at all (a scratch folder, renamed when complete)."""
    scratch = Path(tempfile.mkdtemp(prefix=".reader-", dir=target.parent))
    write(scratch / "model")
    os.chmod(scratch / "model", 0o755)
    try:
        os.replace(scratch / "model", target)
    except OSError:  # another build wrote it first
        if not target.exists():
            raise
    shutil.rmtree(scratch, ignore_errors=True)


def _write(target: Path, write: Callable[[Any], None]) -> None:
    """Write a file whole or not at all (a scratch file, renamed when complete)."""
    handle, scratch = tempfile.mkstemp(prefix=".reader-", suffix=".npz", dir=target.parent)
    with os.fdopen(handle, "wb") as file:
        write(file)
    os.chmod(scratch, 0o644)  # models, no secrets: readable by the service's own user too
    os.replace(scratch, target)


def load(path: Path) -> ReaderModels:
    """The models of an artefact file (no pickles: arrays and JSON only)."""
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    meta = json.loads(_text(arrays["meta"]))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: artefact format {meta.get('format')}, expected {FORMAT}")
    specs = meta["models"]
    return ReaderModels(
        intent=IntentModel(
            approach=Approach.CHAR_WORD_LOGISTIC,
            classifier=_text_model(arrays, "intent", specs["intent"]),
        ),
        second_opinion=EmbeddingIntentModel(
            classifier=_model(arrays, "second_opinion", specs["second_opinion"])
        ),
        signal_ngrams=_text_model(arrays, "signal_ngrams", specs["signal_ngrams"]),
        signal_e5=_model(arrays, "signal_e5", specs["signal_e5"]),
        language=load_language_model(language_path(path.parent)),
    )


def _plain(model: IntentModel) -> LinearTextModel:
    if not isinstance(model.classifier, LinearTextModel):
        raise TypeError("only a linear intent model can be stored")
    return model.classifier


def _put_model(arrays: dict[str, Any], name: str, model: LinearModel) -> dict[str, Any]:
    arrays[f"{name}.coef"] = model.coef
    arrays[f"{name}.intercept"] = model.intercept
    return {"classes": list(model.classes)}


def _put_text_model(arrays: dict[str, Any], name: str, model: LinearTextModel) -> dict[str, Any]:
    spec = _put_model(arrays, name, LinearModel(model.coef, model.intercept, model.classes))
    # (stored as (features, classes): the text model gathers the rows of a text's features)
    spec["blocks"] = [_put_block(arrays, f"{name}.block{i}", b) for i, b in enumerate(model.blocks)]
    return spec


def _put_block(arrays: dict[str, Any], name: str, block: FeatureBlock) -> dict[str, Any]:
    if isinstance(block, CueBlock):
        return {"kind": "cues", "width": block.width}
    if not isinstance(block, TfidfBlock):
        raise TypeError(f"no stored form for {type(block).__name__}")
    terms = sorted(block.vocabulary, key=block.vocabulary.__getitem__)
    if any("\n" in term for term in terms):
        raise ValueError("a vocabulary term holds a line break")
    arrays[f"{name}.vocabulary"] = _text_array("\n".join(terms))
    arrays[f"{name}.idf"] = block.idf
    analyser = block.analyser
    return {
        "kind": "tfidf",
        "analyser": [analyser.kind, list(analyser.ngram_range), analyser.token_pattern],
        "sublinear": block.sublinear,
    }


def _model(arrays: dict[str, Any], name: str, spec: dict[str, Any]) -> LinearModel:
    return LinearModel(
        coef=arrays[f"{name}.coef"],
        intercept=arrays[f"{name}.intercept"],
        classes=tuple(spec["classes"]),
    )


def _text_model(arrays: dict[str, Any], name: str, spec: dict[str, Any]) -> LinearTextModel:
    linear = _model(arrays, name, spec)
    blocks = tuple(
        _block(arrays, f"{name}.block{i}", block) for i, block in enumerate(spec["blocks"])
    )
    return LinearTextModel(
        blocks=blocks, coef=linear.coef, intercept=linear.intercept, classes=linear.classes
    )


def _block(arrays: dict[str, Any], name: str, spec: dict[str, Any]) -> FeatureBlock:
    if spec["kind"] == "cues":
        return CueBlock(width=spec["width"])
    kind, (low, high), pattern = spec["analyser"]
    terms = _text(arrays[f"{name}.vocabulary"]).split("\n")
    return TfidfBlock(
        analyser=Analyser(kind=kind, ngram_range=(low, high), token_pattern=pattern),
        vocabulary=dict(zip(terms, range(len(terms)), strict=True)),
        idf=arrays[f"{name}.idf"],
        sublinear=spec["sublinear"],
    )


def _text_array(text: str) -> Any:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: Any) -> str:
    return bytes(array).decode("utf-8")


def _prune(folder: Path, *, keep: Path) -> None:
    """Builds beyond the newest few, and scratch files a killed build left (an hour old)."""
    builds = sorted(folder.glob("reader-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    scratch = [p for p in folder.glob(".reader-*") if time.time() - p.stat().st_mtime > 3600]
    for old in [path for path in builds if path != keep][KEEP_BUILDS:] + scratch:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
