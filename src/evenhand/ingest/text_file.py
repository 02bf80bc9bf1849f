"""Every file Evenhand reads is UTF-8 text; anything else is refused with its likely encoding.

A file in another encoding is the commonest way an export goes wrong (Excel saves a plain
"CSV" as Windows-1252, "Unicode text" as UTF-16), so the refusal says which encoding it
looks like and how to save it as UTF-8, instead of a decoder's traceback. A UTF-8
byte-order mark is allowed and dropped. A NUL character is refused anywhere: no text
export holds one, and PostgreSQL cannot store one.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from evenhand.errors import EvenhandError, InputError, Location

_SNIFF = 64 * 1024  # how much of the head tells a file's kind
_CHUNK = 4 * 1024 * 1024
# Control characters no text export holds (tab, line feed, carriage return and form feed are
# text; so is ESC in a terminal capture, but not in an export).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_WINDOWS_1252_ONLY = frozenset(range(0x80, 0xA0)) - {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive, not text"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls), not text"),
    (b"\x1f\x8b", "gzip-compressed, not text: unpack it first"),
    (b"%PDF", "a PDF document, not text"),
)
_UTF32 = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"))
_UTF16 = ((codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def read_text(path: Path) -> str:
    """The whole file as text, a UTF-8 byte-order mark dropped; refused when not UTF-8."""
    data = _read_bytes(path)
    refuse_non_text(path, data[:_SNIFF])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _not_utf8(path, data, error.start) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise _binary(path, line=text.count("\n", 0, nul) + 1)
    return text


@contextmanager
def open_text(path: Path) -> Iterator[TextIO]:
    """The file as a text stream for the CSV readers (newlines left to the csv module); a
    byte that is not UTF-8, wherever it is, ends the read with the refusal."""
    check_text_file(path)
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        try:
            yield text
        except UnicodeDecodeError:
            raise not_utf8_somewhere(path) from None


def check_text_file(path: Path) -> None:
    """Refuse a file that is plainly not UTF-8 text: a byte-order mark of UTF-16 or UTF-32,
    a binary format, or a NUL byte anywhere (one pass over the file, at memory speed)."""
    with _opened(path) as raw:
        head = raw.read(_SNIFF)
        refuse_non_text(path, head)
        offset, chunk = 0, head
        while chunk:
            nul = chunk.find(b"\x00")
            if nul >= 0:
                raise _binary(path, line=_line_at(path, offset + nul))
            offset += len(chunk)
            chunk = raw.read(_CHUNK)


def ends_with_line_break(path: Path) -> bool:
    with _opened(path) as raw:
        if raw.seek(0, io.SEEK_END) == 0:
            return True
        raw.seek(-1, io.SEEK_END)
        return raw.read(1) in {b"\n", b"\r"}


def refuse_non_text(path: Path, head: bytes) -> None:
    """Refuse by the first bytes alone: a UTF-16 or UTF-32 file, or a known binary format."""
    for boms in (_UTF32, _UTF16):
        for bom, name in boms:
            if head.startswith(bom):
                raise _other_encoding(
                    path, f"{name} text (it starts with a {name} byte-order mark)"
                )
    utf16 = _utf16_without_bom(head)
    if utf16:
        raise _other_encoding(path, f"{utf16} text without a byte-order mark")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise EvenhandError(
                InputError.BAD_ENCODING,
                f"the file is {what}; {_advice(path)}",
                where=Location(path),
            )
    line = _control_line(head)
    if line is not None:
        raise _binary(path, line=line)


def not_utf8_somewhere(path: Path) -> EvenhandError:
    """The refusal for a file whose decoding failed part-way (its first bad byte found by
    reading it again, in chunks)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with _opened(path) as raw:
        while chunk := raw.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                start = max(0, error.start - 2048)
                sample = chunk[start : error.start + 2048]
                return _not_utf8_at(path, sample, line=_line_at(path, offset + error.start))
            offset += len(chunk)
    return _not_utf8_at(path, b"", line=None)


@contextmanager
def _opened(path: Path) -> Iterator[io.BufferedReader]:
    try:
        with path.open("rb") as raw:
            yield raw
    except FileNotFoundError:
        raise EvenhandError(
            InputError.FILE_NOT_FOUND, "no such file", where=Location(path)
        ) from None
    except IsADirectoryError:
        raise EvenhandError(
            InputError.FILE_NOT_FOUND, "a folder, not a file", where=Location(path)
        ) from None
    except PermissionError:
        raise EvenhandError(
            InputError.FILE_NOT_FOUND, "not readable (permission denied)", where=Location(path)
        ) from None


def _read_bytes(path: Path) -> bytes:
    with _opened(path) as raw:
        return raw.read()


def _line_at(path: Path, offset: int) -> int:
    """The 1-based line of a byte offset (counted again: only a refusal needs it)."""
    line, counted = 1, 0
    with _opened(path) as raw:
        while counted < offset and (chunk := raw.read(min(_CHUNK, offset - counted))):
            line += chunk.count(b"\n")
            counted += len(chunk)
    return line


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 of mostly Latin text has a NUL in every other byte."""
    sample = head[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.8 * len(sample[1::2]) and even < 0.2 * len(sample[0::2]):
        return "UTF-16 (little-endian)"
    if even > 0.8 * len(sample[0::2]) and odd < 0.2 * len(sample[1::2]):
        return "UTF-16 (big-endian)"
    return None


def _control_line(head: bytes) -> int | None:
    """The line of the first control character no text holds, if any."""
    found = _CONTROL.search(head)
    return None if found is None else head.count(b"\n", 0, found.start()) + 1


def _not_utf8(path: Path, data: bytes, position: int) -> EvenhandError:
    sample = data[max(0, position - 2048) : position + 2048]
    return _not_utf8_at(path, sample, line=data.count(b"\n", 0, position) + 1)


def _not_utf8_at(path: Path, sample: bytes, *, line: int | None) -> EvenhandError:
    high = {byte for byte in sample if byte >= 0x80}
    if high & _WINDOWS_1252_ONLY:
        guess = "Windows-1252 (cp1252) text, as Excel and older Windows programs save it"
    else:
        guess = "Latin-1 (ISO-8859-1) or Windows-1252 text"
    return EvenhandError(
        InputError.BAD_ENCODING,
        f"not UTF-8: the file looks like {guess}; {_advice(path, source=_iconv_name(high))}",
        where=Location(path, line),
    )


def _iconv_name(high: set[int]) -> str:
    return "WINDOWS-1252" if high & _WINDOWS_1252_ONLY else "LATIN1"


def _other_encoding(path: Path, what: str) -> EvenhandError:
    source = "UTF-32" if what.startswith("UTF-32") else "UTF-16"
    return EvenhandError(
        InputError.BAD_ENCODING,
        f"not UTF-8: the file is {what}; {_advice(path, source=source)}",
        where=Location(path),
    )


def _binary(path: Path, *, line: int) -> EvenhandError:
    return EvenhandError(
        InputError.BAD_ENCODING,
        f"not a text file (binary data, e.g. a NUL or control character); {_advice(path)}",
        where=Location(path, line),
    )


def _advice(path: Path, *, source: str | None = None) -> str:
    if path.suffix.lower() == ".csv":
        how = "save it as UTF-8 (in Excel: Save As, 'CSV UTF-8 (Comma delimited)')"
    else:
        how = "save it as UTF-8 text"
    if source is None:
        return how
    return f"{how}, or convert it: iconv -f {source} -t UTF-8 {path.name} > utf8-{path.name}"
