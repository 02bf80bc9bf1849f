"""Commands of the service: serve the API and the UI, run the inbox worker, and manage its
tokens and inbox (its users: `user_commands`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from evenhand.cli.app import (
    DbOption,
    JsonFlag,
    app,
    err,
    inbox_app,
    load,
    now,
    out,
    token_app,
)
from evenhand.cli.supervision import Supervisor, exit_with_parent

if TYPE_CHECKING:
    from evenhand.settings import Settings

# The worker's CPU priority below the app's (nice), so webhooks are answered first.
WORKER_NICENESS = 10


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    with_worker: Annotated[
        bool,
        typer.Option("--worker/--no-worker", help="Also run the inbox worker (a child process)."),
    ] = True,
) -> None:
    """The HTTP service: the API, the webhooks, OpenAPI at /openapi.json, health at /healthz."""
    import uvicorn

    from evenhand.actions.reader import load_reader
    from evenhand.store.database import ensure_current, make_engine
    from evenhand.web.app import create_app

    settings = load(db)
    ensure_current(make_engine(settings.db))
    reader = load_reader(settings)  # refused, naming `evenhand reader build`, if not built
    supervisor = Supervisor(lambda: _start_worker(settings)) if with_worker else None
    if supervisor is not None:
        supervisor.begin()  # the worker is started again whenever it dies
    # uvicorn re-raises the SIGTERM it shut down on; a handler of our own lets it return,
    # so the worker is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        uvicorn.run(create_app(settings, reader=reader), host=host, port=port, access_log=False)
    finally:
        if supervisor is not None:
            supervisor.stop()


def _start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    # The database URL goes by the environment, not the command line (it may hold a password).
    env = os.environ | {"EVENHAND_DB": settings.db}
    command = [sys.executable, "-m", "evenhand", "worker", "--parent-pid", str(os.getpid())]
    return subprocess.Popen(command, env=env)


@app.command()
def worker(
    db: DbOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Stop when the inbox is empty and nothing is due.")
    ] = False,
    parent_pid: Annotated[
        int | None,
        typer.Option(hidden=True, help="Stop when this process (`serve`) is gone."),
    ] = None,
) -> None:
    """Process the webhook inbox in arrival order and send the helpdesk write-backs."""
    from evenhand.actions.guide import active_guide
    from evenhand.actions.inbox import Worker, drain, run_worker
    from evenhand.actions.reader import load_reader, warm_up
    from evenhand.actions.step_calls import Carriers
    from evenhand.actions.writeback import Helpdesks
    from evenhand.store.database import ensure_current, make_engine
    from evenhand.store.scratch import remove_leftovers

    stopping = threading.Event()
    if parent_pid is not None:  # from its first moment: `serve` may die while it starts
        exit_with_parent(parent_pid, stopping.set)
    settings = load(db)
    # Webhooks are answered first: on a shared machine the worker gets the CPU left over.
    os.nice(WORKER_NICENESS)
    engine = make_engine(settings.db)
    ensure_current(engine)
    remove_leftovers(settings.db)  # scratch files an import killed mid-way left behind
    helpdesks = Helpdesks.from_settings(settings)
    carriers = Carriers.from_settings(settings, helpdesks)
    inbox_worker = Worker(
        engine=engine,
        reader=load_reader(settings),
        guide=active_guide(engine, settings),
        settings=settings,
        helpdesks=helpdesks,
        carriers=carriers,
    )
    warm_up(inbox_worker.reader, market=settings.market)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        if once:
            drain(inbox_worker, now=now)
        else:
            err.print("worker: ready, processing the inbox")
            run_worker(inbox_worker, now=now, stop=stopping.is_set)
    finally:
        carriers.close()
        helpdesks.close()


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Who or what the token is for.")],
    db: DbOption = None,
) -> None:
    """Create an API token; it is printed once, on the last line (only its hash is kept)."""
    from evenhand.actions.service import create_token
    from evenhand.store.database import make_engine

    settings = load(db)
    token = create_token(make_engine(settings.db), name=name, now=now())
    err.print(f"token {name.strip()!r} created; keep it now, it cannot be shown again:")
    sys.stdout.write(token + "\n")


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="The token's name.")],
    db: DbOption = None,
) -> None:
    """Revoke an API token: it is refused from now on."""
    from evenhand.actions.service import revoke_token
    from evenhand.store.database import make_engine

    settings = load(db)
    revoke_token(make_engine(settings.db), name=name, now=now())
    out.print(f"token {name!r} revoked")


@inbox_app.command("status")
def inbox_status_command(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """Deliveries by source and state, repeats, failures, the write-backs owed, and the LLM
    reader's tokens, cost and fallbacks (when it is on)."""
    from evenhand.actions.inbox_status import inbox_status
    from evenhand.cli import render_service
    from evenhand.store.database import make_engine

    settings = load(db)
    status = inbox_status(
        make_engine(settings.db),
        now=now(),
        silent_seconds=settings.worker_silent_seconds,
        settings=settings,
    )
    if as_json:
        out.print_json(data=status.as_json())
    else:
        render_service.inbox_status(out, status)


@inbox_app.command("retry")
def inbox_retry(
    db: DbOption = None,
    set_aside: Annotated[
        bool,
        typer.Option(
            "--set-aside",
            help="Also requeue the deliveries set aside for taking the worker down "
            "(after the cause is fixed: each may take it down again).",
        ),
    ] = False,
) -> None:
    """Put failed deliveries, failed write-backs and the failed steps of remedies back in
    the queue (a step gets one more try, with its idempotency key: nothing is done twice)."""
    from evenhand.actions.inbox_status import retry_failed, retry_failed_steps
    from evenhand.store.database import make_engine

    settings = load(db)
    engine = make_engine(settings.db)
    deliveries, owed = retry_failed(engine, now=now(), set_aside=set_aside)
    steps = retry_failed_steps(engine, now=now(), by="evenhand inbox retry")
    out.print(f"requeued {deliveries} deliveries, {owed} write-backs and {steps} remedy steps")
