"""The records of a CSV export, each with the line it starts on, and the refusals the csv
module would otherwise leave to a traceback or pass over without a word.

- A file that ends in the middle of a record (inside a quoted cell, or a last row with
  fewer cells than the header and no line break after it) was cut off, and is refused.
- A row with more non-empty cells than the header has a comma that is not quoted.
- A stray quote (`"x"y`) is refused (the csv module's strict mode).
- A cell over `FIELD_CAP` characters (a quote never closed swallows the rest of the file)
  is refused by its line. The readers refuse a cell they read over `CELL_LIMIT`
  (`oversized`), naming its column; cells they do not read may be longer, as in the
  columnar reader, which never reads them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from evenhand.errors import EvenhandError, InputError, Location
from evenhand.ingest.cells import CELL_LIMIT
from evenhand.ingest.text_file import ends_with_line_break

FIELD_CAP = 16 * 1024 * 1024  # characters: what the csv module holds in one cell at most
csv.field_size_limit(FIELD_CAP)  # the module's own default (128 KiB) would cover every cell
_TOO_LARGE = "field larger than field limit"
_CUT_IN_QUOTES = "unexpected end of data"


class CsvRecords:
    """Iterate for (line, cells); `header` holds the first record's cells, stripped."""

    def __init__(self, handle: TextIO, path: Path) -> None:
        self.path = path
        self.reader = csv.reader(handle, strict=True)
        self.header = [name.strip() for name in self._next(1) or []]
        self._complete = ends_with_line_break(path)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        """Each record after the header; the last one is checked for a cut before it is
        given (a reader acting on a cut row would refuse it for the wrong reason)."""
        records = self._records()
        current = next(records, None)
        while current is not None:
            following = next(records, None)
            if following is None:
                self._check_end(*current)
            yield current
            current = following

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header)
        previous_end = self.reader.line_num
        while (row := self._next(previous_end + 1)) is not None:
            start, previous_end = previous_end + 1, self.reader.line_num
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                raise self._error(
                    InputError.BAD_VALUE,
                    f"{len(row)} cells, but the header has {width}: a cell with a comma in "
                    "it is not quoted, or a row was split",
                    line=start,
                )
            yield start, row

    def _check_end(self, line: int, row: list[str]) -> None:
        if 0 < len(row) < len(self.header) and not self._complete:
            raise self._error(
                InputError.TRUNCATED_FILE,
                f"the file ends in the middle of this row ({len(row)} of the header's "
                f"{len(self.header)} cells, and no line break): it was cut off "
                "(download or export it again)",
                line=line,
            )

    def _next(self, line: int) -> list[str] | None:
        try:
            return next(self.reader)
        except StopIteration:
            return None
        except csv.Error as error:
            raise self._csv_error(error, line) from None

    def _csv_error(self, error: csv.Error, line: int) -> EvenhandError:
        message = str(error)
        if _TOO_LARGE in message:
            return self._error(
                InputError.BAD_VALUE,
                f"a cell of more than {FIELD_CAP:,} characters in the row of this line: "
                "a quote that is never closed?",
                line=line,
            )
        if _CUT_IN_QUOTES in message:
            return self._error(
                InputError.TRUNCATED_FILE,
                "the file ends inside a quoted cell of the row of this line: it was cut off "
                "(download or export it again), or that quote is never closed",
                line=line,
            )
        return self._error(InputError.BAD_VALUE, f"not valid CSV: {message}", line=line)

    def _error(self, code: InputError, message: str, *, line: int) -> EvenhandError:
        return EvenhandError(code, message, where=Location(self.path, line))


def oversized(cells: Iterable[str], names: Iterable[str]) -> tuple[str, str] | None:
    """The first (column, reason) of a cell over `CELL_LIMIT` characters, if any."""
    for cell, name in zip(cells, names, strict=False):
        if len(cell) > CELL_LIMIT:
            return name, f"{len(cell):,} characters, more than the limit of {CELL_LIMIT:,}"
    return None
