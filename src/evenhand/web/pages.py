"""What every page shares: the templates, the CSRF token, the signed-in user.

The session cookie (signed, HttpOnly, SameSite=Strict) holds the CSRF token and, once
signed in, the session's token; the session itself is a row (`actions.sessions`), so it
ends on the server, whatever copies of the cookie exist.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from evenhand.actions.sessions import SignInRules, signed_in_user
from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError
from evenhand.store.users import User
from evenhand.web.guide_view import guide_origin
from evenhand.web.labels import choice_label, intent_label, remedy_label, step_label
from evenhand.web.service import ServiceDep

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
templates.env.filters["intent_label"] = intent_label
templates.env.filters["remedy_label"] = remedy_label
templates.env.filters["step_label"] = step_label
templates.env.filters["choice_label"] = choice_label
templates.env.filters["guide_origin"] = guide_origin
SESSION_KEY = "session"  # the session's token, in the signed cookie


class SignInNeededError(Exception):
    """No signed-in user: the browser goes to the sign-in page."""


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, given: str) -> None:
    if not hmac.compare_digest(csrf_token(request), given):
        raise EvenhandError(AccessError.CSRF_FAILED, "the form is stale; reload the page")


def session_token(request: Request) -> str | None:
    token = request.session.get(SESSION_KEY)
    return token if isinstance(token, str) else None


def _user(request: Request, service: ServiceDep) -> User:
    token = session_token(request)
    rules = SignInRules.of(service.settings)
    user = (
        signed_in_user(service.engine, token, limits=rules.limits, now=service.now())
        if token
        else None
    )
    if user is None:
        request.session.pop(SESSION_KEY, None)
        raise SignInNeededError
    return user


SignedIn = Annotated[User, Depends(_user)]
CsrfField = Annotated[str, Form()]


def _manager(user: SignedIn) -> User:
    if user.role is not Role.MANAGER:
        raise EvenhandError(AccessError.NOT_ALLOWED, "only managers manage users and tokens")
    return user


Manager = Annotated[User, Depends(_manager)]


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context |= {"csrf": csrf_token(request)}
    return templates.TemplateResponse(request, name, context, status_code=status)
