"""e5 embeddings asked a few texts per engine call: the same vectors as one text at a time."""

from __future__ import annotations

import numpy as np
import pytest

from evenhand.understand import e5


def test_embedding_in_batches_gives_each_text_its_own_vector_in_order() -> None:
    # Given more texts than one engine call takes, one of them twice
    texts = [f"Where is my order {n}? It was due on day {n}." for n in range(e5.BATCH + 3)]
    texts.append(texts[2])
    # When they are embedded together
    together = e5.embed(texts)
    # Then each row is the text's vector alone, in the texts' order, the repeat included
    alone = np.vstack([e5.embed([text]) for text in texts])
    assert together.shape == (len(texts), 384)
    assert np.array_equal(together, alone)
    assert np.array_equal(together[-1], together[2])
    assert not np.array_equal(together[0], together[1])


def test_a_text_embedded_a_moment_ago_is_not_sent_to_the_engine_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a text just embedded, and the engine's calls counted from then on
    text = "My parcel never arrived and the tracking has not moved since Monday."
    first = e5.embed([text])
    engine = e5._encoder()
    asked: list[list[str]] = []

    class Counting:
        def query(self, texts: list[str]) -> object:
            asked.append(list(texts))
            return engine.query(texts)

    monkeypatch.setattr(e5, "_encoder", Counting)
    # When it is embedded again beside a new text
    again = e5.embed([text, "Can I change the size before you ship?"])
    # Then only the new text reaches the engine, and the first row is the same vector
    assert asked == [["Can I change the size before you ship?"]]
    assert np.array_equal(again[0], first[0])


def test_the_recent_texts_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given more distinct texts embedded than are kept
    texts = [f"Order {n} has not arrived." for n in range(e5.RECENT + 5)]
    e5.embed(texts)
    # Then only the last RECENT are kept: the first has left, the last is there
    assert len(e5._recent) == e5.RECENT
    assert texts[0] not in e5._recent
    assert texts[-1] in e5._recent
