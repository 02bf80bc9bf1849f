"""A manager's second chance for the remedies' steps that failed (the dashboard's button):
each gets one more try, with its idempotency key, so nothing is done twice."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from evenhand.actions.inbox_status import retry_failed_steps
from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError
from evenhand.web.pages import CsrfField, SignedIn, check_csrf
from evenhand.web.service import ServiceDep

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
