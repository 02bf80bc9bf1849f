"""The source digest of an order in a Shopify orders export: what tells a re-import which
orders changed.

Both readers of the export (row by row and column by column) take it here, the same way:
each of the order's rows is its cells joined with U+001F, prefixed by the row's position
within the order, and hashed with XXH3-64 (polars-hash: stable across processes, machines
and library versions, unlike Polars' own `hash`); the order's digest is the sum of the
upper and the sum of the lower 32-bit halves of its rows' hashes (`"upper:lower"`). Hashing
in one columnar pass is what keeps a million-row export's digests at a fraction of a
second (a Python blake2b loop over the joined rows took 2.3 s).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from polars_hash import NonCryptographicHashingNameSpace

_CELL_SEPARATOR = "\x1f"
_HALF = pl.lit(1 << 32, pl.UInt64)


def order_digests(
    rows: pl.DataFrame, *, key: str, position: str, cells: Sequence[str]
) -> pl.DataFrame:
    """One row per order (`key`, in first-seen order) with its `source_digest`.

    `rows` holds the export's rows in file order: the order `key`, the row's `position`
    within its order (0, 1, ...) and the `cells` as text (a missing column as empty strings).
    """
    text = pl.concat_str(
        [pl.col(position).cast(pl.String), *(pl.col(cell) for cell in cells)],
        separator=_CELL_SEPARATOR,
    )
    hashed = rows.select(
        pl.col(key), NonCryptographicHashingNameSpace(text).xxh3_64().alias("row_hash")
    )
    halves = hashed.group_by(key, maintain_order=True).agg(
        (pl.col("row_hash") // _HALF).sum().alias("upper"),
        (pl.col("row_hash") % _HALF).sum().alias("lower"),
    )
    digest = pl.concat_str(
        [pl.col("upper").cast(pl.String), pl.col("lower").cast(pl.String)], separator=":"
    )
    return halves.select(pl.col(key), digest.alias("source_digest"))
