"""The reply for a remedy an agent chose instead of the guide's: drafted from the guide's
templates with the context triage gave the ticket, by the same render."""

from __future__ import annotations

from dataclasses import dataclass

from evenhand.domain.facts import Facts
from evenhand.domain.guide import Guide, Remedy
from evenhand.domain.replies import ReplyContext, ReplyRenderError, reply_language


@dataclass(frozen=True, slots=True)
class Redraft:
    """A reply drafted for `remedy`; `text` is None when the guide has no reply for it or
    its template failed, and `reason` says which."""

    remedy: Remedy
    language: str
    template: str | None
    text: str | None
    reason: str = ""


def reply_name_for(guide: Guide, remedy: Remedy, facts: Facts) -> str | None:
    """The template a reply for `remedy` takes: that of the first rule giving the remedy
    whose conditions hold for the facts, else the template named after the remedy, else
    that of the first rule giving it; None when the guide has none."""
    giving = [rule for rule in guide.rules if rule.remedy is remedy]
    matching = [rule for rule in giving if rule.matches(facts)]
    if matching:
        return matching[0].reply
    if remedy.value in guide.replies.names():
        return remedy.value
    return giving[0].reply if giving else None


def redraft(
    guide: Guide, remedy: Remedy, *, facts: Facts, language: str, context: ReplyContext
) -> Redraft:
    """The reply the guide drafts for this remedy, in the ticket's reply language."""
    language = reply_language(language)
    name = reply_name_for(guide, remedy, facts)
    if name is None:
        reason = f"the guide has no reply for {remedy.value}"
        return Redraft(remedy, language, None, None, reason)
    try:
        text = guide.replies.render(name, language=language, context=context)
    except ReplyRenderError as failed:
        return Redraft(remedy, language, name, None, f"{failed}")
    return Redraft(remedy, language, name, text)


def same_reply(one: str | None, other: str | None) -> bool:
    """Whether two replies are the same text, however a browser ended their lines."""
    if one is None or other is None:
        return False
    return _plain(one) == _plain(other)


def _plain(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))
