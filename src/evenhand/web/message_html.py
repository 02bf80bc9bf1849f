"""A customer's HTML e-mail, made safe to show: sanitized by nh3 (the Ammonia sanitizer),
which keeps the text's structure (paragraphs, lists, links, emphasis) and drops scripts,
styles, event handlers, forms and images (a remote image would tell the sender the mail was
read; the pages' Content-Security-Policy would refuse it anyway)."""

from __future__ import annotations

import re

import nh3
from markupsafe import Markup

_TAG = re.compile(
    r"</?(?:html|body|div|p|br|span|table|tr|td|ul|ol|li|b|i|strong|em|a|font|blockquote)\b[^>]*>",
    re.IGNORECASE,
)
_TAGS_KEPT = nh3.ALLOWED_TAGS - {"img"}
_SHOWN_AS_HTML_AT = 2  # tags of e-mail markup before a message is taken for HTML


def is_html(body: str) -> bool:
    """Whether the message is HTML mail rather than text that mentions a tag or two."""
    return len(_TAG.findall(body, 0, 20_000)) >= _SHOWN_AS_HTML_AT


def sanitized(body: str) -> Markup:
    """The message's HTML with only harmless tags and attributes left; links open apart."""
    cleaned = nh3.clean(body, tags=_TAGS_KEPT, link_rel="noopener noreferrer nofollow")
    return Markup(cleaned)
