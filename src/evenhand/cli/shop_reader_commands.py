"""`evenhand reader learn | adopt | list`: the shop reader, learnt from the shop's labelled
history and adopted like a guide version."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from evenhand.cli.app import DbOption, JsonFlag, announce, load, now, out, reader_app

HISTORY_HELP = (
    "The shop's labelled tickets: a CSV with text,label, a Zendesk tickets export (JSON, or "
    "JSON Lines of the incremental export) or Gorgias tickets, labelled by their tags."
)


@reader_app.command("learn")
def reader_learn(
    path: Annotated[Path, typer.Argument(help=HISTORY_HELP)],
    *,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="YAML of shop_label: intent; other labels left out."),
    ] = None,
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt",
            help="Adopt the shop reader learnt, if it reads the history at least as well as "
            "the built-in reader under cross-validation (`reader adopt` adopts it anyway).",
        ),
    ] = False,
    corrections: Annotated[
        bool,
        typer.Option(
            "--with-corrections/--without-corrections",
            help="Join the agents' intent corrections from the database.",
        ),
    ] = True,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Learn a shop reader from the shop's labelled history and compare it, side by side,
    with the built-in reader under cross-validation on the shop's rows."""
    from evenhand.actions.shop_reader import adopt_version, learn_shop_reader, reads_better
    from evenhand.store.database import make_engine

    settings = load(db)
    learnt = learn_shop_reader(
        settings, path=path, mapping=mapping, announce=announce, corrections=corrections
    )
    better = reads_better(learnt.details)
    adopted = adopt and better
    if adopted:
        adopt_version(
            make_engine(settings.db), settings, version=learnt.version, by=_by(), now=now()
        )
    if as_json:
        details = {"version": learnt.version, "adopted": adopted, "better": better}
        out.print_json(json.dumps({**details, **learnt.details}))
        return
    comparison_table(out, learnt.details)
    out.print(f"shop reader {learnt.version}: {_state(learnt.version, adopted, better=better)}")


def _state(version: str, adopted: bool, *, better: bool) -> str:
    if adopted:
        return "adopted"
    if not better:
        return (
            "not adopted: the built-in reader reads this history better under "
            f"cross-validation (`evenhand reader adopt {version}` adopts it anyway)"
        )
    return f"adopt it with `evenhand reader adopt {version}`"


def comparison_table(console: Console, details: dict[str, Any]) -> None:
    comparison = details["comparison"]
    readers = [comparison["built_in"], comparison["shop"]]
    columns = ["intent", "rows", "built-in P/R/F1", "shop P/R/F1"]
    if "baseline" in comparison:  # learnt before the plain baseline was measured: without
        readers.append(comparison["baseline"])
        columns.append("plain TF-IDF+LR P/R/F1")
    table = Table(title=f"{comparison['rows']} rows, {comparison['folds']}-fold cross-validation")
    for column in columns:
        table.add_column(column)
    for intent, score in readers[1]["intents"].items():
        table.add_row(intent, str(score["support"]), *(_prf(r["intents"][intent]) for r in readers))
    table.add_row("macro-F1", "", *(f"{r['macro_f1']:.3f}" for r in readers))
    table.add_row("sent to other", "", *(f"{r['other_share']:.1%}" for r in readers))
    if "out_of_scope_to_remedy" in readers[1]:
        table.add_row(
            "out of scope read as a remedy intent",
            "",
            *(str(r["out_of_scope_to_remedy"]) for r in readers),
        )
    console.print(table)
    for line in _notes(details):
        console.print(line)


def _prf(score: dict[str, float]) -> str:
    return f"{score['precision']:.2f} / {score['recall']:.2f} / {score['f1']:.2f}"


def _against_baseline(comparison: dict[str, Any]) -> list[str]:
    """How the shop reader stands against the plain model on the same folds."""
    if "baseline" not in comparison:
        return []
    from evenhand.understand.shop_training import BASELINE_MARGIN

    gap = comparison["shop"]["macro_f1"] - comparison["baseline"]["macro_f1"]
    if gap >= -BASELINE_MARGIN:
        return [f"shop reader vs the plain TF-IDF + logistic regression: {gap:+.3f} macro-F1"]
    return [
        f"the shop reader is {-gap:.3f} macro-F1 below the plain TF-IDF + logistic regression "
        f"on the same folds (more than {BASELINE_MARGIN}): look at its figures before adopting"
    ]


def _notes(details: dict[str, Any]) -> list[str]:
    from evenhand.understand.shop_training import ENOUGH_PER_INTENT, ENOUGH_ROWS

    notes = _against_baseline(details["comparison"])
    if details["rows"] < ENOUGH_ROWS:
        notes.append(
            f"only {details['rows']} labelled rows: below about {ENOUGH_ROWS} the figures "
            "say little; label more before adopting"
        )
    for intent, count in details["comparison"]["too_few"].items():
        notes.append(
            f"{intent}: {count} rows, fewer than {ENOUGH_PER_INTENT}: too few to say anything"
        )
    tagged = details.get("source", "csv") != "csv"
    for label, count in details["left_out"].items():  # a ticket's other tags still count
        notes.append(
            f"passed over: the tag {label!r} on {count} tickets (mapped to no intent)"
            if tagged
            else f"left out: {count} rows labelled {label!r} (mapped to no intent)"
        )
    if relabelled := (details.get("scheme") or {}).get("relabelled"):
        read = ", ".join(f"{intent} as {label}" for intent, label in relabelled.items())
        notes.append(f"read in the shop's own scheme: {read}")
    if details.get("unlabelled"):
        notes.append(f"left out: {details['unlabelled']} tickets with no tag the mapping names")
    if details.get("ambiguous"):
        notes.append(f"left out: {details['ambiguous']} tickets whose tags name two intents")
    if details.get("not_the_customers"):
        notes.append(
            f"left out: {details['not_the_customers']} tickets with no words of the "
            "customer's (an agent opened them and the customer has not written)"
        )
    joined = details.get("corrections") or {}
    if joined:
        notes.append(
            f"agents' corrections joined: {joined['added'] + joined['replaced']} "
            f"({joined['added']} messages added, {joined['replaced']} rows of the file relabelled)"
        )
    return notes


@reader_app.command("suggest-mapping")
def reader_suggest_mapping(
    path: Annotated[Path, typer.Argument(help=HISTORY_HELP)],
    as_json: JsonFlag = False,
) -> None:
    """Propose a mapping of the file's labels (or tags) to intents from their frequencies
    and the built-in reader's readings of their messages; save it, check it, then learn."""
    from evenhand.actions.shop_reader import suggest_mapping

    suggestion = suggest_mapping(load(None), path=path, announce=announce)
    if as_json:
        out.print_json(json.dumps(suggestion.as_json()))
        return
    typer.echo(suggestion.as_yaml(), nl=False)


@reader_app.command("adopt")
def reader_adopt(
    version: Annotated[str, typer.Argument(help="A shop reader's version, or built-in.")],
    db: DbOption = None,
) -> None:
    """Read messages with this shop reader from now on (an older version: a rollback;
    `built-in`: back to the built-in reader). Threat signals stay the built-in reader's."""
    from evenhand.actions.shop_reader import adopt_version
    from evenhand.store.database import make_engine

    settings = load(db)
    adopt_version(make_engine(settings.db), settings, version=version, by=_by(), now=now())
    out.print(f"reader {version} adopted")


@reader_app.command("list")
def reader_list(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """The adoptions, newest first (the first is in force), with the figures of each."""
    from evenhand.actions.shop_reader import adoptions
    from evenhand.store.database import make_engine

    history = adoptions(make_engine(load(db).db))
    if as_json:
        out.print_json(json.dumps(history, default=str))
        return
    table = Table()
    for column in ("version", "adopted at", "by", "rows", "built-in F1", "shop F1"):
        table.add_column(column)
    for i, row in enumerate(history):
        comparison = row["figures"].get("comparison", {})
        table.add_row(
            row["version"] + (" (in force)" if i == 0 else ""),
            f"{row['adopted_at']:%Y-%m-%d %H:%M}",
            row["adopted_by"],
            str(row["figures"].get("rows", "")),
            _f1(comparison.get("built_in")),
            _f1(comparison.get("shop")),
        )
    out.print(table if history else "no reader adopted: the built-in reader reads")


def _f1(figures: dict[str, Any] | None) -> str:
    return f"{figures['macro_f1']:.3f}" if figures else ""


def _by() -> str:
    return f"cli:{getpass.getuser()}"
