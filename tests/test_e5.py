"""e5 embeddings asked a few texts per engine call: the same vectors as one text at a time."""

from __future__ import annotations

import numpy as np

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
