"""The shop reader in the web UI: an agent corrects a ticket's intent (`POST
/tickets/{id}/intent`), and managers see the reader in force, the adoptions with their
figures and the shop readers learnt, and adopt one or roll back (`/reader`), as
`evenhand reader adopt VERSION|built-in` does."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from evenhand.actions.intent_corrections import Correction, correct_intent
from evenhand.actions.shop_reader import BUILT_IN, adopt_version, reader_board
from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError, InputError, LookupFailure
from evenhand.web.pages import CsrfField, SignedIn, check_csrf, render
from evenhand.web.service import ServiceDep
from evenhand.web.ui import ticket

router = APIRouter(include_in_schema=False)


@router.post("/tickets/{decision_id}/intent")
def correct_ticket_intent(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    decision_id: int,
    *,
    csrf: CsrfField,
    intent: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """An agent's correction of what the message is about; back to the ticket."""
    check_csrf(request, csrf)
    correction = Correction(decision_id, intent, note, by=user.email)
    try:
        correct_intent(service.engine, correction, now=service.now())
    except EvenhandError as error:
        if not isinstance(error.code, InputError):
            raise
        chosen = {"intent": intent, "note": note}
        return ticket(
            request, service, user, decision_id, intent_error=error.message, chosen=chosen
        )
    return RedirectResponse(f"/tickets/{decision_id}#h-intent", status_code=303)


@router.get("/reader")
def reader_page(
    request: Request, service: ServiceDep, user: SignedIn, *, error: str = ""
) -> HTMLResponse:
    board = reader_board(service.engine, service.settings)
    return render(
        request, "reader.html", 422 if error else 200, user=user, board=board, error=error
    )


@router.post("/reader/adopt")
async def adopt_reader_page(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    csrf: CsrfField,
    version: Annotated[str, Form()] = "",
) -> Response:
    """Adopt a stored shop reader, or the built-in one (a rollback); managers only."""
    check_csrf(request, csrf)
    if user.role is not Role.MANAGER:
        raise EvenhandError(AccessError.NOT_ALLOWED, "only managers adopt a reader")
    try:
        await run_in_threadpool(
            adopt_version,
            service.engine,
            service.settings,
            version=version.strip() or BUILT_IN,
            by=user.email,
            now=service.now(),
        )
    except EvenhandError as error:
        if error.code is not LookupFailure.NO_SUCH_PATH:
            raise
        return reader_page(request, service, user, error=error.message)
    service.forget_reader()  # the API reads with it from the next request
    return RedirectResponse("/reader", status_code=303)
