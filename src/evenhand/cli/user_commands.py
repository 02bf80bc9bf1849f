"""`evenhand user ...`: the users of the web UI. Each command changes one user in one
transaction with one audit event; every change but `create` and `enable` ends the user's
sessions at once, and none leaves the service without an active manager."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from evenhand.cli.app import DbOption, load, now, out, user_app
from evenhand.domain.roles import Role

BY = "command line"  # who made the change, in the audit event
EmailArgument = Annotated[str, typer.Argument(help="The user's e-mail address.")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _said(email: str, changed: bool, done: str, already: str) -> None:
    out.print(f"user {email} {done}" if changed else f"user {email} {already}; nothing changed")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="Their e-mail address (they sign in with it).")],
    role: Annotated[Role, typer.Option(help="agent: reads, approves, overrides; manager: more.")],
    db: DbOption = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a user of the web UI (the first manager, say)."""
    from evenhand.actions.users import create_user
    from evenhand.store.database import make_engine

    settings = load(db)
    password = _password(password_stdin)
    create_user(make_engine(settings.db), email=email, role=role, password=password, now=now())
    out.print(f"user {email} created ({role.value})")


@user_app.command("disable")
def user_disable(email: EmailArgument, db: DbOption = None) -> None:
    """Stop a user from signing in (their sessions end now); `enable` undoes it."""
    from evenhand.actions.users import disable_user
    from evenhand.store.database import make_engine

    engine = make_engine(load(db).db)
    changed = disable_user(engine, email=email, by=BY, now=now())
    _said(email, changed, "disabled; their sessions ended", "was disabled already")


@user_app.command("enable")
def user_enable(email: EmailArgument, db: DbOption = None) -> None:
    """Let a disabled user sign in again."""
    from evenhand.actions.users import enable_user
    from evenhand.store.database import make_engine

    engine = make_engine(load(db).db)
    changed = enable_user(engine, email=email, by=BY, now=now())
    _said(email, changed, "enabled", "was not disabled")


@user_app.command("delete")
def user_delete(email: EmailArgument, db: DbOption = None) -> None:
    """Delete a user: their sessions end, they cannot sign in, their password is gone
    (their reviews still name them; `create` with the same e-mail gives the account back)."""
    from evenhand.actions.users import delete_user
    from evenhand.store.database import make_engine

    engine = make_engine(load(db).db)
    delete_user(engine, email=email, by=BY, now=now())
    out.print(f"user {email} deleted; their sessions ended")


@user_app.command("set-role")
def user_set_role(
    email: EmailArgument,
    role: Annotated[Role, typer.Argument(help="agent or manager.")],
    db: DbOption = None,
) -> None:
    """Give a user another role (their sessions end now)."""
    from evenhand.actions.users import set_role
    from evenhand.store.database import make_engine

    engine = make_engine(load(db).db)
    changed = set_role(engine, email=email, role=role, by=BY, now=now())
    _said(email, changed, f"is now {role.value}; their sessions ended", f"is {role.value} already")


@user_app.command("set-password")
def user_set_password(
    email: EmailArgument, db: DbOption = None, password_stdin: PasswordStdin = False
) -> None:
    """Give a user a new password (asked for, or read with --password-stdin); their
    sessions end now."""
    from evenhand.actions.users import set_password
    from evenhand.store.database import make_engine

    engine = make_engine(load(db).db)
    password = _password(password_stdin)
    set_password(engine, email=email, password=password, by=BY, now=now())
    out.print(f"user {email} has a new password; their sessions ended")
