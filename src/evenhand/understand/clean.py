"""From a raw support e-mail to the text a reader should see.

Removes what the customer did not write for this message: HTML markup, quoted history
("On Mon, 3 Nov 2026 ... wrote:", "Den mån 3 nov. 2026 skrev ...:", "> " lines, Outlook's
"-----Original Message-----" and "From:/Sent:" blocks, Gmail and Outlook quote containers)
and signatures ("Sent from my iPhone", "Skickat från min iPhone", "Med vänliga hälsningar
...", and a last line such as "Mvh Emma", "Thanks, Olof" or "/Per"). Swedish and English;
typos, capitals and missing punctuation are left alone.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

_TAG = re.compile(r"<(?:html|body|div|p|br|span|table|blockquote|a|b|i|strong)\b", re.I)
# Containers mail clients put quoted history in.
_QUOTE_CONTAINERS = (
    "blockquote",
    "div.gmail_quote",
    "div.gmail_quote_container",
    "div.moz-cite-prefix",
    "div#appendonsend",
    "div#divRplyFwdMsg",
    "div.yahoo_quoted",
    "div#mail-editor-reference-message-container",
)
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4")

# A line that starts the quoted history; everything from it on is dropped.
_HISTORY_STARTS = (
    re.compile(r"^\s*On\b.{0,200}\bwrote:\s*$", re.I),
    re.compile(r"^\s*Den\b.{0,200}\bskrev\b.{0,200}:\s*$", re.I),
    re.compile(
        r"^\s*(?:Am|Le|El|Op|På)\b.{0,200}\b(?:schrieb|écrit|escribió|schreef|skrev)\b.*:\s*$", re.I
    ),
    re.compile(
        r"^\s*-{2,}\s*(?:Original Message|Ursprungligt meddelande|Originalmeddelande|"
        r"Forwarded message|Vidarebefordrat meddelande)\s*-{2,}\s*$",
        re.I,
    ),
    re.compile(r"^\s*_{8,}\s*$"),  # Outlook's rule above the quoted header
)
_HEADER_FROM = re.compile(r"^\s*(?:From|Från|Fra)\s*:", re.I)
_HEADER_NEXT = re.compile(r"^\s*(?:Sent|Skickat|Date|Datum|Sendt|To|Till|Subject|Ämne)\s*:", re.I)

# Lines that end a message: a device footer, a signature separator, or a short sign-off.
_DEVICE_FOOTER = re.compile(
    r"^\s*(?:Sent from|Skickat från|Hämta|Get|Sendt fra|Lähetetty)\b.{0,60}$", re.I
)
_SEPARATOR = re.compile(r"^\s*--\s*$")
# A name as people sign with it: one to three capitalised words ("Emma", "Anna-Karin Ek").
_NAME = r"[A-ZÅÄÖÆØÉ][\w'-]*(?:\s+[A-ZÅÄÖÆØÉ][\w'-]*){0,2}"
_SIGN_OFF_WORDS = (
    r"(?:(?:med\s+)?(?:vänliga|vänlig|bästa|varma)\s+hälsning(?:ar)?|hälsningar|mvh|"
    r"(?:best|kind|warm)\s+regards|regards|best wishes|best|cheers|thanks|thank you|"
    r"many thanks|tack på förhand|tack|hälsn)\b"
)
_SIGN_OFF = re.compile(r"^\s*" + _SIGN_OFF_WORDS + r"[\s,.!]*$", re.I)
# The last line: a sign-off with the name on it ("Mvh Emma", "Thanks, Olof"), or "/Per", "- Emil".
_SIGNED = re.compile(
    r"^\s*(?:" + _SIGN_OFF_WORDS + r"[\s,.!]*(?-i:" + _NAME + r")|[/-]\s*(?-i:" + _NAME + r"))"
    r"[\s.!]*$",
    re.I,
)
_SIGNATURE_MAX_LINES = 6  # lines a sign-off may be followed by (name, phone, address)

_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|sv|vs|aw|fw|fwd|vb|vs|ang)\s*:\s*)+", re.I)


def clean_message(body: str, subject: str | None = None) -> str:
    """The customer's own words of this message, subject first."""
    text = _html_to_text(body) if _TAG.search(body) else body
    lines = _without_history(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    lines = _without_signature(lines)
    own = "\n".join(line.rstrip() for line in lines).strip()
    own = re.sub(r"\n{3,}", "\n\n", own)
    title = _SUBJECT_PREFIX.sub("", subject or "").strip()
    if title and title.lower() not in own.lower():
        return f"{title}\n{own}" if own else title
    return own


def _html_to_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    for selector in _QUOTE_CONTAINERS:
        for node in tree.css(selector):
            node.decompose()
    for node in tree.css("script, style, head"):
        node.decompose()
    for node in tree.css(", ".join(_BLOCKS)):
        node.insert_after("\n")
    root = tree.body or tree.root
    return "" if root is None else root.text(separator="")


def _without_history(lines: list[str]) -> list[str]:
    kept: list[str] = []
    for position, line in enumerate(lines):
        if any(pattern.match(line) for pattern in _HISTORY_STARTS):
            break
        if _HEADER_FROM.match(line) and _header_block_follows(lines, position):
            break
        if _wrapped_history_start(line, lines, position):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return kept


def _header_block_follows(lines: list[str], position: int) -> bool:
    """Outlook quotes with a block of From:/Sent:/To:/Subject: lines."""
    following = lines[position + 1 : position + 4]
    return any(_HEADER_NEXT.match(line) for line in following)


def _wrapped_history_start(line: str, lines: list[str], position: int) -> bool:
    """Gmail and Apple Mail wrap a long "On ... wrote:" over two lines."""
    if position + 1 >= len(lines) or not re.match(r"^\s*(?:On|Den)\b", line, re.I):
        return False
    joined = f"{line} {lines[position + 1]}"
    return any(pattern.match(joined) for pattern in _HISTORY_STARTS[:2])


def _without_signature(lines: list[str]) -> list[str]:
    for position, line in enumerate(lines):
        if _DEVICE_FOOTER.match(line) or _SEPARATOR.match(line):
            return lines[:position]
        rest = [text for text in lines[position + 1 :] if text.strip()]
        if position > 0 and _SIGN_OFF.match(line) and len(rest) <= _SIGNATURE_MAX_LINES:
            return lines[:position]
        if position > 0 and not rest and _SIGNED.match(line):
            return lines[:position]
    return lines
