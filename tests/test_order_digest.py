"""The source digest that tells a re-import which orders changed: stable by definition,
sensitive to every cell and to the order of an order's rows."""

from __future__ import annotations

import polars as pl
from polars_hash import NonCryptographicHashingNameSpace

from evenhand.ingest.order_digest import order_digests

CELLS = ("Name", "Total", "Lineitem name")


def rows(*cells: tuple[str, str, str]) -> pl.DataFrame:
    frame = pl.DataFrame(list(cells), schema=dict.fromkeys(CELLS, pl.String), orient="row")
    key = pl.col("Name").str.strip_chars().alias("key")
    return frame.with_columns(key).with_columns(pl.int_range(pl.len()).over("key").alias("at"))


def digests(frame: pl.DataFrame) -> dict[str, str]:
    found = order_digests(frame, key="key", position="at", cells=CELLS)
    return dict(zip(found["key"].to_list(), found["source_digest"].to_list(), strict=True))


def xxh3(text: str) -> int:
    series = pl.Series([text], dtype=pl.String)
    return int(pl.select(NonCryptographicHashingNameSpace(pl.lit(series)).xxh3_64()).item())


def test_the_hash_is_xxh3_as_published() -> None:
    # XXH3-64 of the empty input, seed 0: the reference implementation's test vector.
    assert xxh3("") == 0x2D06800538D394C2


def test_an_orders_digest_sums_the_halves_of_its_positioned_rows() -> None:
    given = rows(("#1001", "249.00", "Mug"), ("#1001", "", "Plate"))
    first, second = xxh3("0\x1f#1001\x1f249.00\x1fMug"), xxh3("1\x1f#1001\x1f\x1fPlate")
    upper = (first >> 32) + (second >> 32)
    lower = (first & 0xFFFF_FFFF) + (second & 0xFFFF_FFFF)
    assert digests(given) == {"#1001": f"{upper}:{lower}"}


def test_every_cell_and_the_row_order_count() -> None:
    mug, plate, cup = ("#1", "10.00", "Mug"), ("#1", "", "Plate"), ("#2", "5.00", "Cup")
    original = digests(rows(mug, plate, cup))
    changed_cell = digests(rows(mug, ("#1", "", "Plates"), cup))
    swapped = digests(rows(plate, mug, cup))
    assert changed_cell["#1"] != original["#1"]
    assert swapped["#1"] != original["#1"]
    assert changed_cell["#2"] == swapped["#2"] == original["#2"]


def test_rows_of_one_order_need_not_be_adjacent() -> None:
    apart = digests(rows(("#1", "10.00", "Mug"), ("#2", "5.00", "Cup"), ("#1", "", "Plate")))
    together = digests(rows(("#1", "10.00", "Mug"), ("#1", "", "Plate"), ("#2", "5.00", "Cup")))
    assert apart == together
    assert list(apart) == ["#1", "#2"]
