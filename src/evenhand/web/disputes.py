"""The dispute desk's pages: open disputes most urgent first, a dispute's evidence pack
(edit, send to Stripe, then submit to the bank as a separate confirmed step), and the pack
as a readable page for the shop's files."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from evenhand.actions.dispute_desk import desk_figures, dispute_desk
from evenhand.actions.evidence_pack import (
    EvidencePack,
    evidence_pack,
    save_evidence,
    send_evidence,
    submit_evidence,
)
from evenhand.domain.disputes import EVIDENCE_FIELDS, EVIDENCE_LABELS, Urgency, urgency
from evenhand.errors import AccessError, EvenhandError, InputError
from evenhand.web.pages import CsrfField, SignedIn, check_csrf, render
from evenhand.web.service import Service, ServiceDep

router = APIRouter(include_in_schema=False)
URGENCY_LABELS = {
    Urgency.OVERDUE: "overdue",
    Urgency.DUE_SOON: "due soon",
    Urgency.OPEN: "",
    Urgency.NO_DATE: "no due date",
    Urgency.WITH_BANK: "with the bank",
    Urgency.CLOSED: "closed",
}


@router.get("/disputes")
def desk_page(request: Request, service: ServiceDep, user: SignedIn) -> HTMLResponse:
    settings = service.settings
    entries = dispute_desk(
        service.engine, now=service.now(), soon_days=settings.dispute_due_soon_days
    )
    return render(
        request,
        "disputes.html",
        user=user,
        entries=entries,
        figures=desk_figures(service.engine),
        labels=URGENCY_LABELS,
        soon_days=settings.dispute_due_soon_days,
    )


def _pack_page(
    request: Request,
    service: Service,
    user: SignedIn,
    pack: EvidencePack,
    *,
    error: str = "",
    status: int = 200,
    shown: dict[str, str] | None = None,
) -> HTMLResponse:
    soon = timedelta(days=service.settings.dispute_due_soon_days)
    return render(
        request,
        "dispute.html",
        status,
        user=user,
        pack=pack,
        d=pack.dispute,
        fields=shown or pack.fields,
        names=EVIDENCE_FIELDS,
        field_labels=EVIDENCE_LABELS,
        mark=URGENCY_LABELS[
            urgency(
                pack.dispute.evidence_due_by,
                now=service.now(),
                soon=soon,
                status=pack.dispute.status,
            )
        ],
        provider_ready=(
            service.settings.stripe_api_key
            if pack.dispute.provider == "stripe"
            else service.settings.shopify_access_token
        )
        is not None,
        error=error,
    )


@router.get("/disputes/{dispute_id}")
def dispute_page(
    request: Request, service: ServiceDep, user: SignedIn, dispute_id: int
) -> HTMLResponse:
    pack = evidence_pack(
        service.engine, dispute_id=dispute_id, guide=service.current_guide().settings
    )
    return _pack_page(request, service, user, pack)


@router.get("/disputes/{dispute_id}/pack")
def pack_file(
    request: Request, service: ServiceDep, user: SignedIn, dispute_id: int
) -> HTMLResponse:
    """The pack as one readable page, to print or keep with the shop's files."""
    pack = evidence_pack(
        service.engine, dispute_id=dispute_id, guide=service.current_guide().settings
    )
    page = render(
        request,
        "evidence_pack.html",
        pack=pack,
        d=pack.dispute,
        names=EVIDENCE_FIELDS,
        field_labels=EVIDENCE_LABELS,
        shop=service.current_guide().settings.shop_name,
        printed=service.now(),
    )
    name = f"evidence-{pack.dispute.provider}-{pack.dispute.external_id}.html"
    page.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return page


@router.post("/disputes/{dispute_id}/evidence")
async def save_pack(
    request: Request, service: ServiceDep, user: SignedIn, dispute_id: int, csrf: CsrfField
) -> Response:
    check_csrf(request, csrf)
    form = await request.form()
    fields = {name: str(form.get(name, "")) for name in EVIDENCE_FIELDS if name in form}
    guide = service.current_guide().settings
    try:
        save_evidence(
            service.engine,
            dispute_id=dispute_id,
            fields=fields,
            guide=guide,
            by=user.email,
            now=service.now(),
        )
    except EvenhandError as error:
        if not isinstance(error.code, InputError):
            raise
        pack = evidence_pack(service.engine, dispute_id=dispute_id, guide=guide)
        return _pack_page(
            request,
            service,
            user,
            pack,
            error=error.message,
            status=422,
            shown={**pack.fields, **fields},
        )
    return RedirectResponse(f"/disputes/{dispute_id}", status_code=303)


@router.post("/disputes/{dispute_id}/send")
def send_pack(
    request: Request, service: ServiceDep, user: SignedIn, dispute_id: int, csrf: CsrfField
) -> Response:
    """Stage the pack on the Stripe dispute (`submit=false`)."""
    check_csrf(request, csrf)
    return _to_stripe(request, service, user, dispute_id, submit=False, confirmed=False)


@router.post("/disputes/{dispute_id}/submit")
def submit_pack(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    dispute_id: int,
    *,
    csrf: CsrfField,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Submit the staged evidence to the bank (`submit=true`), once the box is ticked."""
    check_csrf(request, csrf)
    return _to_stripe(request, service, user, dispute_id, submit=True, confirmed=confirm == "yes")


def _to_stripe(
    request: Request,
    service: Service,
    user: SignedIn,
    dispute_id: int,
    *,
    submit: bool,
    confirmed: bool,
) -> Response:
    guide = service.current_guide().settings
    settings, now = service.settings, service.now()
    try:
        if submit:
            submit_evidence(
                service.engine,
                dispute_id=dispute_id,
                settings=settings,
                guide=guide,
                by=user.email,
                now=now,
                confirmed=confirmed,
            )
        else:
            send_evidence(
                service.engine,
                dispute_id=dispute_id,
                settings=settings,
                guide=guide,
                by=user.email,
                now=now,
            )
    except EvenhandError as error:
        if not isinstance(error.code, InputError | AccessError):
            raise
        pack = evidence_pack(service.engine, dispute_id=dispute_id, guide=guide)
        return _pack_page(
            request, service, user, pack, error=error.message, status=error.http_status
        )
    return RedirectResponse(f"/disputes/{dispute_id}", status_code=303)
