"""Commands about the shop's data: set up, import, customers and their value, the demo."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from evenhand.cli.app import DbOption, JsonFlag, announce, app, err, load, now, out
from evenhand.ingest.kinds import ImportKind

_PROGRESS_FROM_BYTES = 5_000_000
DEMO_SEED = 20261124  # the demo shop's default (evenhand.demo.shop.DEFAULT_SEED)


@app.command()
def init(
    db: DbOption = None,
    currency: Annotated[str | None, typer.Option(help="The shop's currency, e.g. SEK.")] = None,
) -> None:
    """Create (or migrate) the database and write the default settings file."""
    from evenhand.actions.initialise import initialise
    from evenhand.cli import render
    from evenhand.store.database import make_engine

    settings = load(db, currency=currency)
    report = initialise(make_engine(settings.db), settings=settings, now=now())
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
    from evenhand.actions.import_file import import_file
    from evenhand.actions.schemas import import_out
    from evenhand.cli import render
    from evenhand.store.database import make_engine

    settings = load(db)
    with _progress(path, quiet=as_json) as progress:
        report = import_file(
            make_engine(settings.db),
            kind=kind,
            path=path,
            settings=settings,
            now=now(),
            skip_invalid=skip_invalid,
            progress=progress,
        )
    if as_json:
        out.print_json(data=import_out(report).model_dump(mode="json"))
    else:
        render.import_report(out, report)


@contextmanager
def _progress(path: Path, *, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    size = path.stat().st_size if path.is_file() else 0
    if quiet or size < _PROGRESS_FROM_BYTES:
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

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
    from evenhand.actions.customer_value import top_customers
    from evenhand.cli import render
    from evenhand.store.database import make_engine

    settings = load(db)
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
    from evenhand.actions.customer_value import customer_report
    from evenhand.actions.schemas import customer_out
    from evenhand.cli import render
    from evenhand.store.database import make_engine

    settings = load(db)
    report = customer_report(make_engine(settings.db), email=email, settings=settings)
    if as_json:
        sys.stdout.write(customer_out(report).model_dump_json(indent=2) + "\n")
    else:
        render.customer_report(out, report)


@app.command()
def recompute(db: DbOption = None) -> None:
    """Recompute every customer's value from the stored orders in one pass."""
    from evenhand.actions.customer_value import recompute_values
    from evenhand.store.database import make_engine

    settings = load(db)
    recompute_values(make_engine(settings.db), settings=settings, now=now())
    out.print("customer values recomputed")


@app.command()
def demo(
    db: DbOption = None,
    folder: Annotated[Path, typer.Option(help="Where to write the demo files.")] = Path("demo"),
    seed: Annotated[int, typer.Option(help="Seed of the generator.")] = DEMO_SEED,
) -> None:
    """Generate the demo shop (a Swedish brand, ~10k orders in SEK), import it, and triage
    its support inbox (400 tickets in Swedish and English)."""
    from evenhand.actions.customer_value import top_customers
    from evenhand.actions.demo import run_demo
    from evenhand.actions.reader import load_reader
    from evenhand.cli import render, render_decisions
    from evenhand.store.database import make_engine

    settings = load(db)
    engine = make_engine(settings.db)
    report = run_demo(
        engine,
        settings=settings,
        folder=folder,
        now=now(),
        seed=seed,
        reader=load_reader(settings, announce=announce),
    )
    render.demo_report(out, report)
    currency, rows = top_customers(engine, limit=10, settings=settings)
    render.top_customers(out, currency, rows=rows, metric=settings.ltv_metric)
    out.print(f"[bold]The demo inbox[/] ({report.files.tickets}):")
    render_decisions.triage_summary(out, report.triage)
    render.next_steps(out, settings, program=_program())


def _program() -> str:
    """The command as the user ran it: `.venv/bin/evenhand` after `make demo`."""
    ran = Path(sys.argv[0])
    if ran.name != "evenhand":
        return "evenhand"
    try:
        return str(ran.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return "evenhand"
