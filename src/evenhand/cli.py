"""The `evenhand` command: thin, each command parses, calls one action and renders."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.exc import SQLAlchemyError

from evenhand import render, render_decisions, render_service
from evenhand.actions.customer_value import customer_report, recompute_values, top_customers
from evenhand.actions.demo import run_demo
from evenhand.actions.evaluate import (
    cross_validate_intents,
    cross_validate_signals,
    evaluate,
    held_out_examples,
    labelled_examples,
)
from evenhand.actions.guide import active_guide, check_guide, load_guide
from evenhand.actions.import_file import ImportKind, import_file
from evenhand.actions.inbox import Worker, drain, run_worker, warm_up
from evenhand.actions.inbox_status import inbox_status, retry_failed
from evenhand.actions.initialise import initialise
from evenhand.actions.service import create_token, revoke_token
from evenhand.actions.triage import triage_tickets
from evenhand.actions.users import create_user
from evenhand.actions.writeback import Helpdesks
from evenhand.demo.shop import DEFAULT_SEED
from evenhand.errors import EvenhandError, SettingsError, StoreError
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings, load_settings
from evenhand.store.database import ensure_current, make_engine
from evenhand.store.users import Role
from evenhand.understand.embedding_model import build_artefact as build_corpus_embeddings
from evenhand.understand.intent_model import Approach
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.signal_model import build_e5_artefact as build_signal_embeddings
from evenhand.web.app import create_app

app = typer.Typer(
    help="Even-handed, policy-driven triage for e-commerce customer support.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
guide_app = typer.Typer(help="The resolution guide: show it, check it.", no_args_is_help=True)
app.add_typer(guide_app, name="guide")
token_app = typer.Typer(help="API tokens for `evenhand serve`.", no_args_is_help=True)
app.add_typer(token_app, name="token")
inbox_app = typer.Typer(
    help="The webhook inbox and the helpdesk write-backs.", no_args_is_help=True
)
app.add_typer(inbox_app, name="inbox")
user_app = typer.Typer(help="Users of the web UI.", no_args_is_help=True)
app.add_typer(user_app, name="user")
# Piped output gets a wide page, so tables are not squeezed into 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy database URL (default: EVENHAND_DB, the settings file, "
        "or sqlite:///evenhand.sqlite3).",
        show_default=False,
    ),
]
GuideOption = Annotated[
    Path | None,
    typer.Option(
        "--guide",
        help="The resolution guide (YAML); default: the settings' or the default guide.",
        show_default=False,
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
_PROGRESS_FROM_BYTES = 5_000_000
# The worker's CPU priority below the app's (nice), so webhooks are answered first.
WORKER_NICENESS = 10
# The worker's numeric libraries keep to one thread: the other core answers webhooks.
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def _settings(db: str | None, **overrides: object) -> Settings:
    try:
        return load_settings(db=db, **overrides)
    except ValidationError as error:
        raise EvenhandError(SettingsError.BAD_SETTINGS, f"invalid settings: {error}") from None


def _now() -> datetime:
    return datetime.now(UTC)


@app.command()
def init(
    db: DbOption = None,
    currency: Annotated[str | None, typer.Option(help="The shop's currency, e.g. SEK.")] = None,
) -> None:
    """Create (or migrate) the database and write the default settings file."""
    settings = _settings(db, currency=currency)
    report = initialise(make_engine(settings.db), settings=settings, now=_now())
    render.init_report(out, report)


@app.command("import")
def import_command(
    kind: Annotated[ImportKind, typer.Argument(help="What the file holds.")],
    path: Annotated[Path, typer.Argument(help="The file to import.")],
    db: DbOption = None,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Import the valid records and list the rejected ones."),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Import a Shopify export, Shopify orders JSON, or Shopify/Stripe disputes."""
    settings = _settings(db)
    with _progress(path, quiet=as_json) as progress:
        report = import_file(
            make_engine(settings.db),
            kind=kind,
            path=path,
            settings=settings,
            now=_now(),
            skip_invalid=skip_invalid,
            progress=progress,
        )
    if as_json:
        out.print_json(data=report.summary() | {"rejections": render.rejections_json(report)})
    else:
        render.import_report(out, report)


@contextmanager
def _progress(path: Path, *, quiet: bool) -> Iterator[render.ProgressCallback]:
    size = path.stat().st_size if path.is_file() else 0
    if quiet or size < _PROGRESS_FROM_BYTES:
        yield lambda done, total: None
        return
    columns = (
        TextColumn(f"importing {path.name}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("import", total=size)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@app.command()
def customers(
    db: DbOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many.")] = 20,
    as_json: JsonFlag = False,
) -> None:
    """The most valuable customers by the configured LTV metric."""
    settings = _settings(db)
    currency, rows = top_customers(make_engine(settings.db), limit=top, settings=settings)
    if as_json:
        out.print_json(data=render.top_customers_json(rows, settings.ltv_metric))
    else:
        render.top_customers(out, currency, rows=rows, metric=settings.ltv_metric)


@app.command()
def customer(
    email: Annotated[str, typer.Argument(help="The customer's e-mail address.")],
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """One customer's value figures, open disputes, and how they were computed."""
    settings = _settings(db)
    report = customer_report(make_engine(settings.db), email=email, settings=settings)
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        render.customer_report(out, report)


@app.command()
def recompute(db: DbOption = None) -> None:
    """Recompute every customer's value from the stored orders in one pass."""
    settings = _settings(db)
    recompute_values(make_engine(settings.db), settings=settings, now=_now())
    out.print("customer values recomputed")


@app.command()
def demo(
    db: DbOption = None,
    folder: Annotated[Path, typer.Option(help="Where to write the demo files.")] = Path("demo"),
    seed: Annotated[int, typer.Option(help="Seed of the generator.")] = DEFAULT_SEED,
) -> None:
    """Generate the demo shop (a Swedish brand, ~10k orders in SEK), import it, and triage
    its support inbox (400 tickets in Swedish and English)."""
    settings = _settings(db)
    report = run_demo(
        make_engine(settings.db),
        settings=settings,
        folder=folder,
        now=_now(),
        seed=seed,
        reader=EmbeddedReader(threshold=settings.intent_threshold),
    )
    render.demo_report(out, report)
    currency, rows = top_customers(make_engine(settings.db), limit=10, settings=settings)
    render.top_customers(out, currency, rows=rows, metric=settings.ltv_metric)
    out.print(f"[bold]The demo inbox[/] ({report.files.tickets}):")
    render_decisions.triage_summary(out, report.triage)


@app.command()
def triage(
    path: Annotated[Path, typer.Argument(help="Tickets: JSON Lines, Zendesk or Gorgias JSON.")],
    guide: GuideOption = None,
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per ticket, in input order.")
    ] = False,
) -> None:
    """Decide every ticket by the resolution guide; store the decisions. Exit 2 if a line failed."""
    settings = _settings(db)
    engine = make_engine(settings.db)
    report = triage_tickets(
        engine,
        records=read_tickets(path),
        guide=load_guide(settings, path=guide) if guide else active_guide(engine, settings),
        reader=EmbeddedReader(threshold=settings.intent_threshold),
        settings=settings,
        now=_now(),
    )
    if as_json:
        for outcome in report.outcomes:
            line = json.dumps(render_decisions.triage_json(outcome), ensure_ascii=False)
            sys.stdout.write(line + "\n")
    else:
        render_decisions.triage_table(out, report)
    if report.failed:
        raise typer.Exit(2)


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
    settings = _settings(db)
    ensure_current(make_engine(settings.db))
    child = _start_worker(settings) if with_worker else None
    # uvicorn re-raises the SIGTERM it shut down on; a handler of our own lets it return,
    # so the worker is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        uvicorn.run(create_app(settings), host=host, port=port, access_log=False)
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=30)


def _start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    # The database URL goes by the environment, not the command line (it may hold a password).
    env = os.environ | {"EVENHAND_DB": settings.db} | ONE_THREAD
    return subprocess.Popen([sys.executable, "-m", "evenhand", "worker"], env=env)


@app.command()
def worker(
    db: DbOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Stop when the inbox is empty and nothing is due.")
    ] = False,
) -> None:
    """Process the webhook inbox in arrival order and send the helpdesk write-backs."""
    settings = _settings(db)
    # Webhooks are answered first: on a shared machine the worker gets the CPU left over.
    os.nice(WORKER_NICENESS)
    engine = make_engine(settings.db)
    ensure_current(engine)
    helpdesks = Helpdesks.from_settings(settings)
    inbox_worker = Worker(
        engine=engine,
        reader=EmbeddedReader(threshold=settings.intent_threshold),
        guide=active_guide(engine, settings),
        settings=settings,
        helpdesks=helpdesks,
    )
    warm_up(inbox_worker)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        if once:
            drain(inbox_worker, now=_now)
        else:
            err.print("worker: ready, processing the inbox")
            run_worker(inbox_worker, now=_now, stop=stopping.is_set)
    finally:
        helpdesks.close()


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Who or what the token is for.")],
    db: DbOption = None,
) -> None:
    """Create an API token; it is printed once, on the last line (only its hash is kept)."""
    settings = _settings(db)
    token = create_token(make_engine(settings.db), name=name, now=_now())
    err.print(f"token {name!r} created; keep it now, it cannot be shown again:")
    sys.stdout.write(token + "\n")


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="The token's name.")],
    db: DbOption = None,
) -> None:
    """Revoke an API token: it is refused from now on."""
    settings = _settings(db)
    revoke_token(make_engine(settings.db), name=name, now=_now())
    out.print(f"token {name!r} revoked")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="Their e-mail address (they sign in with it).")],
    role: Annotated[Role, typer.Option(help="agent: reads, approves, overrides; manager: more.")],
    db: DbOption = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a user of the web UI (the first manager, say)."""
    settings = _settings(db)
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    create_user(make_engine(settings.db), email=email, role=role, password=password, now=_now())
    out.print(f"user {email} created ({role.value})")


@inbox_app.command("status")
def inbox_status_command(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """Deliveries by source and state, repeats, failures, and the write-backs owed."""
    settings = _settings(db)
    status = inbox_status(make_engine(settings.db))
    if as_json:
        out.print_json(data=status.as_json())
    else:
        render_service.inbox_status(out, status)


@inbox_app.command("retry")
def inbox_retry(db: DbOption = None) -> None:
    """Put failed deliveries and failed write-backs back in the queue."""
    settings = _settings(db)
    deliveries, owed = retry_failed(make_engine(settings.db), now=_now())
    out.print(f"requeued {deliveries} deliveries and {owed} write-backs")


@guide_app.command("check")
def guide_check(
    path: Annotated[
        Path | None, typer.Argument(help="The guide; default: the one in force.")
    ] = None,
) -> None:
    """Validate a guide and run its examples, each again with every threat added. Exit 1 on a
    failing example."""
    check = check_guide(_settings(None), path=path)
    render_decisions.guide_check(out, check)
    if not check.passed:
        raise typer.Exit(1)


@guide_app.command("show")
def guide_show(
    path: Annotated[
        Path | None, typer.Argument(help="The guide; default: the one in force.")
    ] = None,
    as_yaml: Annotated[bool, typer.Option("--yaml", help="Print the guide's text.")] = False,
) -> None:
    """The guide's rules as a table (or its text, to start your own)."""
    guide = load_guide(_settings(None), path=path)
    if as_yaml:
        sys.stdout.write(guide.text)
    else:
        render_decisions.guide_table(out, guide)


@app.command("eval")
def eval_command(
    path: Annotated[
        Path | None,
        typer.Argument(help="Labelled messages (JSON Lines); default: the held-out split."),
    ] = None,
    approach: Annotated[Approach, typer.Option(help="Which intent model.")] = (Approach.CASCADE_E5),
    compare: Annotated[
        bool, typer.Option("--compare", help="Evaluate every approach, side by side.")
    ] = False,
) -> None:
    """How well the embedded reader reads labelled messages: intents, signals, language."""
    settings = _settings(None)
    examples = labelled_examples(path) if path else held_out_examples()
    chosen = list(Approach) if compare else [approach]
    reports = {
        each: evaluate(
            examples,
            reader=EmbeddedReader(threshold=settings.intent_threshold, approach=each),
            market=settings.market,
        )
        for each in chosen
    }
    if compare:
        render.approaches(out, reports)
    else:
        render.evaluation(out, reports[approach])


@app.command("signals-cv")
def signals_cv(
    folds: Annotated[int, typer.Option(min=2, help="How many folds.")] = 5,
) -> None:
    """Cross-validate the threat-signal reader over the corpus's training sentences."""
    render.signal_validation(out, cross_validate_signals(folds=folds))


@app.command("intent-cv")
def intent_cv(
    folds: Annotated[int, typer.Option(min=2, help="How many folds.")] = 5,
) -> None:
    """Cross-validate the intent reader over the corpus's training messages."""
    render.intent_validation(out, cross_validate_intents(folds=folds))


@app.command("corpus-embeddings")
def corpus_embeddings() -> None:
    """Rebuild the e5 embeddings of the corpus's training messages (after editing the corpus)."""
    # Signals first: the intent model's training texts leave out the sentences they flag.
    for written in (build_signal_embeddings(), build_corpus_embeddings()):
        out.print(f"written {written}")


def main() -> None:
    try:
        app()
    except EvenhandError as error:
        _fail(error)
    except SQLAlchemyError as error:  # e.g. a database locked by another writer
        cause = getattr(error, "orig", None) or error
        _fail(EvenhandError(StoreError.DB_FAILED, f"database error, nothing was changed: {cause}"))


def _fail(error: EvenhandError) -> None:
    err.print(f"[bold red]error[/] [dim]({error.code.value})[/]: {error}", highlight=False)
    sys.exit(error.exit_code)
