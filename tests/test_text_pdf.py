"""The evidence pack's PDF (Stripe takes evidence files as PDF, JPEG or PNG): a valid
PDF 1.4 whose cross-reference table points at each object, its text in WinAnsi (Swedish
letters kept), long text wrapped and carried over pages."""

from __future__ import annotations

import re

from evenhand.domain.text_pdf import LINES_PER_PAGE, text_pdf


def _objects_at_their_offsets(pdf: bytes) -> bool:
    xref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))  # type: ignore[union-attr]
    table = pdf[xref:].split(b"trailer")[0].splitlines()[3:]
    offsets = [int(line.split()[0]) for line in table]
    return all(pdf[at:].startswith(f"{n} 0 obj".encode()) for n, at in enumerate(offsets, 1))


def test_a_short_pack_is_one_page_with_its_words() -> None:
    pdf = text_pdf("Nordhem: dispute du_1", [("Kommunikation", "Kudden kom trasig (för stor).")])
    assert pdf.startswith(b"%PDF-1.4") and pdf.endswith(b"%%EOF\n")
    assert _objects_at_their_offsets(pdf)
    assert b"/Count 1" in pdf
    assert "Kudden kom trasig \\(för stor\\).".encode("cp1252") in pdf


def test_a_long_pack_is_wrapped_over_pages() -> None:
    body = "\n".join(f"Rad {n}: " + "ord " * 40 for n in range(3 * LINES_PER_PAGE // 2))
    pdf = text_pdf("Nordhem", [("Historik", body)])
    pages = int(re.search(rb"/Count (\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert pages >= 3 and _objects_at_their_offsets(pdf)
    assert max(len(line) for line in re.findall(rb"\((.*?)\) Tj", pdf)) <= 100
