"""The managers' page (/admin): users (add, disable, enable, delete, change the role, set a
password) and API tokens (create, revoke). Agents are refused (403).

Each change is one action (`actions.users`, `actions.service`): one transaction, one audit
event naming the manager; a change to a user ends that user's sessions at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from evenhand.actions.service import create_token, revoke_token
from evenhand.actions.users import (
    create_user,
    delete_user,
    disable_user,
    enable_user,
    people_and_tokens,
    set_password,
    set_role,
)
from evenhand.domain.roles import Role
from evenhand.errors import EvenhandError, InputError
from evenhand.store.users import User
from evenhand.web.pages import CsrfField, Manager, check_csrf, render
from evenhand.web.service import Service, ServiceDep

router = APIRouter(include_in_schema=False)
EmailField = Annotated[str, Form()]


@router.get("/admin")
def admin_page(request: Request, service: ServiceDep, user: Manager) -> HTMLResponse:
    return _admin(request, service, user)


def _admin(
    request: Request,
    service: Service,
    user: User,
    *,
    error: EvenhandError | None = None,
    new_token: tuple[str, str] | None = None,
) -> HTMLResponse:
    people, tokens = people_and_tokens(service.engine)
    return render(
        request,
        "admin.html",
        error.http_status if error else 200,
        user=user,
        people=people,
        tokens=tokens,
        error=error.message if error else "",
        new_token_name=new_token[0] if new_token else None,
        new_token=new_token[1] if new_token else None,
    )


def _done(
    request: Request, service: Service, user: User, action: Callable[[Engine], object]
) -> Response:
    """The page again after the action, or with the reason it was refused."""
    try:
        action(service.engine)
    except EvenhandError as error:
        return _admin(request, service, user, error=error)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users")
def admin_create_user(
    request: Request,
    service: ServiceDep,
    user: Manager,
    *,
    csrf: CsrfField,
    email: EmailField,
    role: Annotated[Role, Form()],
    password: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf)
    now = service.now()
    return _done(
        request,
        service,
        user,
        lambda engine: create_user(engine, email=email, role=role, password=password, now=now),
    )


# A change of one user: `_ACTIONS[change]`, given the form's e-mail (and what the change
# needs: `role` for "role", `password` for "password").
_ACTIONS: dict[str, Callable[..., bool]] = {
    "disable": disable_user,
    "enable": enable_user,
    "delete": delete_user,
    "role": set_role,
    "password": set_password,
}


@router.post("/admin/users/{change}")
def admin_change_user(
    request: Request,
    service: ServiceDep,
    user: Manager,
    change: Literal["disable", "enable", "delete", "role", "password"],
    *,
    csrf: CsrfField,
    email: EmailField,
    role: Annotated[Role | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf)
    given: dict[str, object] = {"role": role} if change == "role" else {}
    given |= {"password": password} if change == "password" else {}
    if None in given.values():
        return _admin(request, service, user, error=_missing(change))
    action = _ACTIONS[change]
    now = service.now()
    return _done(
        request,
        service,
        user,
        lambda engine: action(engine, email=email, by=user.email, now=now, **given),
    )


def _missing(change: str) -> EvenhandError:
    return EvenhandError(InputError.MISSING_VALUE, f"give the new {change}")


@router.post("/admin/tokens")
def admin_create_token(
    request: Request,
    service: ServiceDep,
    user: Manager,
    csrf: CsrfField,
    name: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf)
    try:
        token = create_token(service.engine, name=name.strip(), now=service.now())
    except EvenhandError as error:
        return _admin(request, service, user, error=error)
    return _admin(request, service, user, new_token=(name.strip(), token))


@router.post("/admin/tokens/revoke")
def admin_revoke_token(
    request: Request,
    service: ServiceDep,
    user: Manager,
    csrf: CsrfField,
    name: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf)
    revoke_token(service.engine, name=name, now=service.now())
    return RedirectResponse("/admin", status_code=303)
