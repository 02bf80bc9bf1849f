"""The reply for a remedy an agent chose instead of the guide's: drafted from the guide's
templates with the context triage gave the ticket, by the same render."""

from __future__ import annotations

from dataclasses import dataclass

from evenhand.domain.execution import Choice, default_choice
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


# The guide's reply for each choice of an approved replace_or_refund.
CHOICE_REPLIES: dict[Choice, str] = {
    Choice.ASK: "replace_or_refund",
    Choice.REPLACEMENT: "replacement_on_its_way",
    Choice.REFUND: "refund_made",
}


def reply_name_for(
    guide: Guide, remedy: Remedy, facts: Facts, choice: Choice | None = None
) -> str | None:
    """The template a reply for `remedy` takes: for a replace_or_refund whose choice is
    not the default, that choice's; else that of the first rule giving the remedy whose
    conditions hold for the facts, else the template named after the remedy, else that of
    the first rule giving it; None when the guide has none."""
    if remedy is Remedy.REPLACE_OR_REFUND and choice not in {None, default_choice(facts.asked_for)}:
        return CHOICE_REPLIES[choice] if choice else None
    giving = [rule for rule in guide.rules if rule.remedy is remedy]
    matching = [rule for rule in giving if rule.matches(facts)]
    if matching:
        return matching[0].reply
    if remedy.value in guide.replies.names():
        return remedy.value
    return giving[0].reply if giving else None


def redraft(
    guide: Guide,
    remedy: Remedy,
    *,
    facts: Facts,
    language: str,
    context: ReplyContext,
    choice: Choice | None = None,
) -> Redraft:
    """The reply the guide drafts for this remedy (and choice), in the ticket's reply
    language."""
    language = reply_language(language)
    name = reply_name_for(guide, remedy, facts, choice)
    if name is None or name not in guide.replies.names():
        named = f" {name}" if name else ""
        reason = f"the guide has no reply{named} for {remedy.value}"
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
