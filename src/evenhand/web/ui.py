"""The agents' and managers' pages: sign-in, the queue, a ticket with approve/override,
the guide and the dashboard (the managers' /admin is `web.admin`).

Server-rendered Jinja2; the one stylesheet and script come from /static. Every form
carries the session's CSRF token (`web.pages`).
"""

from __future__ import annotations

import base64
import difflib
from decimal import Decimal
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from evenhand.actions.dashboard import (
    DEFAULT_DAYS,
    WINDOWS,
    dashboard,
    window_days,
    window_name,
)
from evenhand.actions.dispute_desk import desk_figures, disputes_of_ticket
from evenhand.actions.execute import by_hand_notes
from evenhand.actions.guide import demo_name_notice, guide_versions_json
from evenhand.actions.inbox_status import execution_troubles
from evenhand.actions.intent_corrections import intent_corrections_of
from evenhand.actions.llm import llm_board
from evenhand.actions.outcomes import outcomes_out, shop_outcomes
from evenhand.actions.public_reviews import review_board
from evenhand.actions.redraft import choice_in_force
from evenhand.actions.replay import adopt_replayed_guide, advise_vip_threshold, replay_upload
from evenhand.actions.reviews import (
    QUEUE_LENGTH,
    QUEUE_SORTS,
    approve_many,
    next_to_review,
    queue,
    review_decision,
    ticket_page,
)
from evenhand.actions.schemas import (
    ReplayOut,
    customer_out,
    replay_out,
    threshold_advice_out,
)
from evenhand.actions.sessions import SignInRules, SignInThrottledError, sign_in, sign_out
from evenhand.domain.facts import DisputeState, Tier
from evenhand.domain.guide import Remedy
from evenhand.domain.intents import THREAT_SIGNALS, Intent, SignalKind
from evenhand.domain.money import Money
from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError, InputError
from evenhand.ingest.guide_problems import GuideRefusedError
from evenhand.store.users import User
from evenhand.web.charts import (
    SERIES_COLOURS,
    horizontal_bars,
    order_history,
    stacked_columns,
    tallest,
)
from evenhand.web.guide_view import LANGUAGE_NAMES, reply_sections
from evenhand.web.labels import CHOICE_LABELS, intent_label, remedy_label
from evenhand.web.message_html import is_html, sanitized
from evenhand.web.pages import (
    SESSION_KEY,
    CsrfField,
    SignedIn,
    check_csrf,
    render,
    session_token,
)
from evenhand.web.service import ServiceDep
from evenhand.web.threshold_chart import threshold_chart

router = APIRouter(include_in_schema=False)
QUEUE_CHOICES = {
    "intent": [intent.value for intent in Intent],
    "remedy": [remedy.value for remedy in Remedy],
    "tier": [tier.value for tier in Tier],
    "threat": [
        "any",
        "none",
        *sorted(signal.value for signal in THREAT_SIGNALS),
        SignalKind.CHARGEBACK_FILED.value,
    ],
    "dispute": [*(state.value for state in DisputeState), "open"],  # open: before scopes
    "language": ["sv", "en"],
    "overridden": ["yes", "no"],
    "reviewed": ["no", "yes"],
}
# How a filter's codes read in its list (intents and remedies have their own labels).
QUEUE_LABELS = {
    "tier": {"vip": "VIP", "standard": "standard"},
    "threat": {
        "any": "some signal",
        "none": "no signal",
        "review_threat": "a review threat",
        "review_extortion": "a review for a reward",
        "chargeback_threat": "a chargeback threat",
        "chargeback_filed": "a dispute said to be filed",
    },
    "dispute": {
        "this_order": "on this order",
        "claimed": "said to be filed",
        "other_order": "on another order",
        "none": "none",
        "open": "open (older decisions)",
    },
}


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/queue", status_code=303)


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", user=None)


@router.post("/login")
def login(
    request: Request,
    service: ServiceDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: CsrfField,
) -> Response:
    check_csrf(request, csrf)
    client = request.client.host if request.client else "unknown"
    try:
        signed_in = sign_in(
            service.engine,
            email=email,
            password=password,
            client=client,
            rules=SignInRules.of(service.settings),
            now=service.now(),
            lock=service.write_lock,
        )
    except SignInThrottledError as throttled:
        answer = render(request, "login.html", 429, user=None, error=throttled.message)
        answer.headers["Retry-After"] = str(throttled.retry_after)
        return answer
    except EvenhandError as error:
        return render(request, "login.html", error.http_status, user=None, error=error.message)
    request.session.clear()  # a new session on sign-in: no fixation
    request.session[SESSION_KEY] = signed_in.token
    return RedirectResponse("/queue", status_code=303)


@router.post("/logout")
def logout(request: Request, service: ServiceDep, csrf: CsrfField) -> RedirectResponse:
    check_csrf(request, csrf)
    token = session_token(request)
    if token is not None:
        sign_out(service.engine, token, now=service.now())
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/queue")
def queue_page(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    *,
    q: str = "",
    before: int | None = None,
    sort: str = "newest",
    skipped: str = "",
) -> HTMLResponse:
    filters = {name: request.query_params.get(name, "") for name in QUEUE_CHOICES}
    sort = sort if sort in QUEUE_SORTS else "newest"
    rows, more = queue(service.engine, filters=filters, search=q, before=before, sort=sort)
    kept = {name: value for name, value in {**filters, "q": q}.items() if value}
    if sort != "newest":
        kept["sort"] = sort
    older = {**kept, "before": rows[-1].decision_id} if more else None
    return render(
        request,
        "queue.html",
        user=user,
        rows=rows,
        filters=filters,
        search=q,
        choices=QUEUE_CHOICES,
        labels=QUEUE_LABELS,
        sorts=QUEUE_SORTS,
        sort=sort,
        values={row.decision_id: Money.of_minor(row.ltv_minor, row.currency) for row in rows},
        limit=QUEUE_LENGTH,
        paged=before is not None,
        newest_href=f"/queue?{urlencode(kept)}",
        older_href=f"/queue?{urlencode(older)}" if older else None,
        skipped=[int(each) for each in skipped.split(",") if each.strip().isdigit()],
        here=_here(request),
    )


def _here(request: Request) -> str:
    """The queue page as it is, less the note of tickets a bulk approval skipped."""
    kept = [
        (name, value) for name, value in request.query_params.multi_items() if name != "skipped"
    ]
    return str(request.url.path) + (f"?{urlencode(kept)}" if kept else "")


@router.get("/tickets/{decision_id}")
def ticket(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    decision_id: int,
    *,
    error: str = "",
    intent_error: str = "",
    chosen: dict[str, str] | None = None,
    saved: str = "",
) -> HTMLResponse:
    """A ticket; after a refused review or intent correction, with the agent's choices as
    they left them; after a saved review (`saved`: its ticket), saying so."""
    page = ticket_page(
        service.engine,
        decision_id=decision_id,
        settings=service.settings,
        guide=service.current_guide(),
    )
    corrections = intent_corrections_of(service.engine, decision_id)
    by_hand = by_hand_notes(service.engine, decision_id=decision_id, settings=service.settings)
    currency = page.decision.ltv.currency
    evidence = [signal.evidence for signal in page.decision.signals]
    html_mail = is_html(page.body)
    return render(
        request,
        "ticket.html",
        422 if error or intent_error else 200,
        user=user,
        d=page.decision,
        subject=page.subject,
        html_body=sanitized(page.body) if html_mail else None,
        segments=[] if html_mail else highlighted(page.body, evidence),
        evidence=evidence,
        reply=(chosen or {}).get("reply") or page.reply,
        demo_notice=demo_name_notice(service.current_guide()),
        saved=int(saved)
        if saved.isascii() and saved.isdigit() and not (error or intent_error)
        else None,
        note=page.note,
        order_moved=page.order_moved,
        order_elsewhere=page.order_elsewhere,
        newer=page.newer,
        chosen=chosen or {},
        customer=customer_out(page.customer).model_dump(mode="json") if page.customer else None,
        order_top=str(Money.of_minor(max(o.total_minor for o in page.orders), currency))
        if page.orders
        else "",
        order_marks=order_history(
            [
                (
                    order.name,
                    order.created_at.date(),
                    order.total_minor,
                    str(Money.of_minor(order.total_minor, currency)),
                    order.cancelled_at is not None,
                )
                for order in page.orders
            ]
        ),
        reviews=page.reviews,
        steps=page.steps,
        order=page.order,
        links=page.links,
        disputes=disputes_of_ticket(
            service.engine, order_name=page.decision.order_name, email=page.decision.customer_email
        ),
        money=lambda minor, currency: str(Money.of_minor(minor, currency)),
        remedies=[remedy.value for remedy in Remedy],
        choices=list(CHOICE_LABELS.items()),
        choice=(chosen or {}).get("choice") or choice_in_force(page.decision, page.reviews),
        by_hand=by_hand,
        error=error,
        intents=[intent.value for intent in Intent],
        corrections=corrections,
        standing=corrections[-1]["intent"] if corrections else page.decision.intent.value,
        intent_error=intent_error,
    )


@router.post("/tickets/{decision_id}/review")
def review(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    decision_id: int,
    *,
    csrf: CsrfField,
    remedy: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    reply: Annotated[str, Form()] = "",
    then: Annotated[str, Form()] = "",
    choice: Annotated[str, Form()] = "",
    done_by_hand: Annotated[str, Form()] = "",
) -> Response:
    """Approve or override; with `then=next`, on to the next ticket no one has reviewed. A
    shop step Evenhand cannot carry out needs the agent's `done_by_hand` tick."""
    check_csrf(request, csrf)
    try:
        review_decision(
            service.engine,
            decision_id=decision_id,
            user=user,
            remedy=remedy or None,
            reason=reason,
            reply_text=reply or None,
            now=service.now(),
            settings=service.settings,
            guide=service.current_guide(),
            choice=choice or None,
            done_by_hand=bool(done_by_hand),
        )
    except EvenhandError as error:
        if not isinstance(error.code, InputError) and error.code is not AccessError.NOT_ALLOWED:
            raise  # an agent's limit is told on the page, with the choices kept
        chosen = {"remedy": remedy, "reason": reason, "reply": reply, "choice": choice}
        return ticket(request, service, user, decision_id, error=error.message, chosen=chosen)
    if then == "next":
        following = next_to_review(service.engine, after=decision_id)
        return RedirectResponse(
            f"/tickets/{following}?saved={decision_id}" if following else "/queue?reviewed=no",
            status_code=303,
        )
    return RedirectResponse(f"/tickets/{decision_id}?saved={decision_id}", status_code=303)


@router.post("/queue/approve")
def approve_picked(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    *,
    csrf: CsrfField,
    decision: Annotated[list[int] | None, Form()] = None,
    back: Annotated[str, Form()] = "/queue",
) -> Response:
    """Approve the tickets picked on the queue page, as drafted; back to the same page,
    which names those skipped (a shop step an agent must do by hand first)."""
    check_csrf(request, csrf)
    done = approve_many(
        service.engine,
        decision_ids=decision or [],
        user=user,
        now=service.now(),
        settings=service.settings,
    )
    back = back if back.startswith("/queue") else "/queue"
    if done.skipped:
        joiner = "&" if "?" in back else "?"
        back += joiner + urlencode({"skipped": ",".join(map(str, sorted(done.skipped)))})
    return RedirectResponse(back, status_code=303)


@router.get("/guide")
def guide_page(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    problems: list[str] | None = None,
    candidate: tuple[str, ReplayOut] | None = None,
) -> HTMLResponse:
    history = guide_versions_json(service.engine)
    diff_from = request.query_params.get("from", "")
    diff_to = request.query_params.get("to", "")
    texts = {version["version"]: version["text"] for version in history}
    diff = None
    if diff_from in texts and diff_to in texts:
        diff = list(
            difflib.unified_diff(
                texts[diff_from].splitlines(),
                texts[diff_to].splitlines(),
                diff_from,
                diff_to,
                lineterm="",
            )
        )
    guide = service.current_guide()
    return render(
        request,
        "guide.html",
        200 if not problems else 422,
        user=user,
        guide=guide,
        in_force_since=next(
            (v["first_used_at"] for v in history if v["version"] == guide.version), None
        ),
        replies=reply_sections(guide),
        demo_notice=demo_name_notice(guide),
        remedy_codes={remedy.value for remedy in Remedy},
        language_names=LANGUAGE_NAMES,
        history=history,
        diff=diff,
        diff_from=diff_from,
        diff_to=diff_to,
        problems=problems or [],
        candidate=candidate,
    )


@router.post("/guide")
async def upload_guide(
    request: Request, service: ServiceDep, user: SignedIn, csrf: CsrfField, guide: UploadFile
) -> Response:
    """A candidate guide checked and replayed over the stored tickets; adopted only from
    the page that shows the replay (`POST /guide/adopt`)."""
    check_csrf(request, csrf)
    _managers_only(user)
    text = (await guide.read()).decode("utf-8", errors="replace")
    try:
        candidate, report = await run_in_threadpool(
            replay_upload, service.engine, text=text, by=user.email
        )
    except GuideRefusedError as refused:
        return guide_page(request, service, user, problems=[str(p) for p in refused.problems])
    except EvenhandError as error:
        return guide_page(request, service, user, problems=[error.message])
    carried = base64.b64encode(candidate.text.encode("utf-8")).decode("ascii")
    return guide_page(request, service, user, candidate=(carried, replay_out(report)))


@router.post("/guide/adopt")
async def adopt_guide_page(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    csrf: CsrfField,
    candidate: Annotated[str, Form()],
) -> Response:
    """Adopt the candidate whose replay the manager saw (its text carried in the page,
    base64, byte for byte); the adoption records the replay."""
    check_csrf(request, csrf)
    _managers_only(user)
    try:
        text = base64.b64decode(candidate, validate=True).decode("utf-8")
    except ValueError:
        return guide_page(request, service, user, problems=["the candidate was not sent whole"])
    try:
        await run_in_threadpool(
            adopt_replayed_guide, service.engine, text=text, by=user.email, now=service.now()
        )
    except GuideRefusedError as refused:
        return guide_page(request, service, user, problems=[str(p) for p in refused.problems])
    except EvenhandError as error:
        return guide_page(request, service, user, problems=[error.message])
    return RedirectResponse("/guide", status_code=303)


def _managers_only(user: User) -> None:
    if user.role is not Role.MANAGER:
        raise EvenhandError(AccessError.NOT_ALLOWED, "only managers adopt a guide")


@router.get("/dashboard")
def dashboard_page(
    request: Request, service: ServiceDep, user: SignedIn, days: str = window_name(DEFAULT_DAYS)
) -> HTMLResponse:
    board = dashboard(service.engine, days=window_days(days))
    llm = llm_board(service.engine, service.settings, now=service.now())
    languages = sorted({name for day in board.by_day_language.values() for name in day})
    intent_names = [name for name, _ in board.intents.most_common()]
    span = {"first": board.since, "last": board.until}
    return render(
        request,
        "dashboard.html",
        user=user,
        board=board,
        disputes=desk_figures(service.engine),
        reviews=review_board(service.engine),
        troubles=execution_troubles(service.engine),
        llm=llm,
        windows=[window_name(each) for each in WINDOWS],
        window=window_name(board.days),
        languages=languages,
        colours=SERIES_COLOURS,
        tallest=tallest,
        intent_label=intent_label,
        remedy_label=remedy_label,
        columns=stacked_columns(board.by_day_language, languages, **span),
        intent_names=intent_names,
        intent_columns=stacked_columns(board.by_day_intent, intent_names, **span),
        intents=horizontal_bars(dict(board.intents)),
        remedies=horizontal_bars(dict(board.remedies)),
        cost_by_remedy=horizontal_bars(
            {remedy: float(value) for remedy, value in board.costs.by_remedy.items()},
            texts={remedy: f"{value:,.2f}" for remedy, value in board.costs.by_remedy.items()},
        ),
    )


@router.get("/advice/threshold")
async def threshold_advice_page(
    request: Request, service: ServiceDep, user: SignedIn, safety: Decimal = Decimal(2)
) -> HTMLResponse:
    """Where the VIP line should be (`evenhand advise threshold`), drawn."""
    if safety < 1:
        raise EvenhandError(InputError.BAD_VALUE, "safety: at least 1")
    guide = service.current_guide()
    advice, currency = await run_in_threadpool(
        advise_vip_threshold, service.engine, guide, safety=safety
    )
    shown = threshold_advice_out(advice, currency=currency, metric=guide.settings.ltv_metric)
    return render(request, "advice.html", user=user, advice=shown, chart=threshold_chart(shown))


@router.get("/advice/outcomes")
async def outcomes_page(request: Request, service: ServiceDep, user: SignedIn) -> HTMLResponse:
    """Did being generous pay? (`evenhand advise outcomes`)."""
    guide = service.current_guide()
    found, currency = await run_in_threadpool(
        shop_outcomes, service.engine, guide, now=service.now()
    )
    shown = outcomes_out(found, currency)
    metric = guide.settings.ltv_metric.value
    return render(request, "outcomes.html", user=user, outcomes=shown, metric=metric)


def highlighted(body: str, evidence: list[str]) -> list[tuple[str, bool]]:
    """The message cut into (text, is a threat sentence) pieces, in order."""
    pieces: list[tuple[str, bool]] = []
    rest = body
    while rest:
        found = [(rest.find(e), e) for e in evidence if e and e in rest]
        if not found:
            pieces.append((rest, False))
            break
        start, sentence = min(found)
        if start:
            pieces.append((rest[:start], False))
        pieces.append((sentence, True))
        rest = rest[start + len(sentence) :]
    return pieces
