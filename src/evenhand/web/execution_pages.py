"""A second chance for the remedies' steps that failed: a manager's for all of them (the
dashboard's button), or an agent's for one ticket's step (tried again, or done by hand).
A step tried again keeps its idempotency key, so nothing is done twice."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from evenhand.actions.failed_steps import settle_step
from evenhand.actions.inbox_status import retry_failed_steps
from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError, InputError
from evenhand.web.pages import CsrfField, SignedIn, check_csrf
from evenhand.web.service import ServiceDep
from evenhand.web.ui import ticket

router = APIRouter(include_in_schema=False)


@router.post("/executions/retry")
def retry_steps(
    request: Request, service: ServiceDep, user: SignedIn, *, csrf: CsrfField
) -> RedirectResponse:
    check_csrf(request, csrf)
    if user.role is not Role.MANAGER:
        raise EvenhandError(AccessError.NOT_ALLOWED, "only managers retry the remedies' steps")
    retry_failed_steps(service.engine, now=service.now(), by=user.email)
    return RedirectResponse("/dashboard#remedy-steps", status_code=303)


@router.post("/tickets/{decision_id}/steps/{step_id}")
def settle_step_form(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    decision_id: int,
    step_id: int,
    *,
    csrf: CsrfField,
    how: Annotated[str, Form()] = "",
    confirmed: Annotated[str, Form()] = "",
) -> Response:
    """A failed step of the ticket's remedy tried again (`how=retry`) or done by hand
    (`how=done_by_hand` with `confirmed`: the agent did it themselves; the steps after it
    go on). A refusal is said on the ticket page."""
    check_csrf(request, csrf)
    try:
        settle_step(
            service.engine,
            decision_id=decision_id,
            step_id=step_id,
            how=how,
            user=user,
            settings=service.settings,
            now=service.now(),
            confirmed=bool(confirmed),
        )
    except EvenhandError as error:
        if not isinstance(error.code, InputError) and error.code is not AccessError.NOT_ALLOWED:
            raise
        return ticket(request, service, user, decision_id, error=error.message)
    return RedirectResponse(f"/tickets/{decision_id}#h-steps", status_code=303)
