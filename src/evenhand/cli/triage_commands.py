"""Commands that read and decide tickets, and those that show or measure how."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from evenhand.cli.app import (
    DbOption,
    GuideOption,
    JsonFlag,
    announce,
    app,
    guide_app,
    load,
    now,
    out,
    print_answer,
    reader_app,
)
from evenhand.understand.approach import Approach


@app.command()
def triage(
    path: Annotated[Path, typer.Argument(help="Tickets: JSON Lines, Zendesk or Gorgias JSON.")],
    guide: GuideOption = None,
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per ticket, in input order.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Decide and show, store nothing (implied by a --guide not in force).",
        ),
    ] = False,
) -> None:
    """Decide every ticket by the resolution guide; store the decisions. Exit 2 if a line failed.

    With `--guide FILE` other than the guide in force, or `--dry-run`, nothing is stored and
    nothing adopted: the decisions are shown, the queue stays as it was."""
    from evenhand.actions.guide import active_guide, demo_name_notice, load_guide
    from evenhand.actions.reader import load_reader
    from evenhand.actions.schemas import outcome_out
    from evenhand.actions.triage import triage_tickets
    from evenhand.cli import render_decisions
    from evenhand.ingest.tickets import read_tickets
    from evenhand.store.database import make_engine

    settings = load(db)
    engine = make_engine(settings.db)
    records = read_tickets(path)
    adopted = active_guide(engine, settings)
    chosen = load_guide(settings, path=guide) if guide else adopted
    dry_run = dry_run or chosen.version != adopted.version
    report = triage_tickets(
        engine,
        records=records,
        guide=chosen,
        reader=load_reader(settings, announce=announce),
        settings=settings,
        now=now(),
        dry_run=dry_run,
    )
    if dry_run:
        announce(
            f"dry run by guide {chosen.version}: nothing stored, nothing adopted "
            "(the decision numbers shown are not kept)"
        )
    if as_json:
        for outcome in report.outcomes:
            sys.stdout.write(outcome_out(outcome).model_dump_json() + "\n")
    else:
        render_decisions.triage_table(out, report)
    if notice := demo_name_notice(chosen):
        announce(notice)
    if report.failed:
        announce(
            f"{path}: {len(report.failed)} ticket(s) could not be read (listed with their lines)"
        )
        raise typer.Exit(2)


GuidePath = Annotated[Path | None, typer.Argument(help="The guide; default: the one in force.")]


@guide_app.command("check")
def guide_check(path: GuidePath = None) -> None:
    """Validate a guide and run its examples, each again with every threat added. Exit 1 on a
    failing example."""
    from evenhand.actions.guide import check_guide
    from evenhand.cli import render_decisions

    check = check_guide(load(), path=path)
    render_decisions.guide_check(out, check)
    if not check.passed:
        raise typer.Exit(1)


@guide_app.command("show")
def guide_show(
    path: GuidePath = None,
    as_yaml: Annotated[bool, typer.Option("--yaml", help="Print the guide's text.")] = False,
) -> None:
    """The guide's rules as a table (or its text, to start your own)."""
    from evenhand.actions.guide import demo_name_notice, load_guide
    from evenhand.cli import render_decisions

    guide = load_guide(load(), path=path)
    if as_yaml:
        sys.stdout.write(guide.text)
    else:
        render_decisions.guide_table(out, guide)
        if notice := demo_name_notice(guide):
            out.print(notice)


def _since(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@guide_app.command("replay")
def guide_replay(
    candidate: Annotated[Path, typer.Argument(help="The candidate guide (YAML).")],
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
            help="Only tickets decided on or after this day (UTC).",
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Decide every stored ticket again under a candidate guide, from the stored facts; store
    nothing. Shows how many decisions change, old -> new remedy by rule with example tickets,
    and the expected cost's difference in total and per tier."""
    from evenhand.actions.replay import replay_guide
    from evenhand.actions.schemas import replay_out
    from evenhand.cli import render_replay
    from evenhand.ingest.guide_file import read_guide
    from evenhand.store.database import make_engine

    settings = load(db)
    shown = replay_out(
        replay_guide(make_engine(settings.db), read_guide(candidate), since=_since(since))
    )
    print_answer(shown, as_json, render_replay.replay_report)


@app.command("eval")
def eval_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Labelled messages (JSON Lines); default: the held-out and validation splits."
        ),
    ] = None,
    approach: Annotated[Approach, typer.Option(help="Which intent model.")] = Approach.CASCADE_E5,
    compare: Annotated[
        bool, typer.Option("--compare", help="Evaluate every approach, side by side.")
    ] = False,
    card: Annotated[
        Path | None,
        typer.Option(
            "--card",
            help="Write the model card here (figures of every split and the cross-validation).",
        ),
    ] = None,
) -> None:
    """How well the embedded reader reads labelled messages: intents, signals, language,
    the figures per language and the reliability of its confidence."""
    from evenhand.actions.evaluate import (
        evaluate,
        labelled_examples,
        reader_for,
        signal_sets_read,
    )
    from evenhand.actions.reader import reader_models
    from evenhand.cli import render
    from evenhand.understand.evaluation import named_splits

    settings = load()
    splits = [("labelled", labelled_examples(path))] if path else named_splits()
    models = reader_models(settings, announce=announce)
    chosen = list(Approach) if compare else [approach]
    reports = []
    for name, examples in splits:
        each = {
            one: evaluate(
                examples,
                reader=reader_for(one, models, threshold=settings.intent_threshold),
                market=settings.market,
                name=name,
            )
            for one in chosen
        }
        if compare:
            render.approaches(out, each)
        else:
            render.evaluation(out, each[approach])
        reports.append(each[approach] if approach in each else next(iter(each.values())))
    if card:
        _write_card(card, reports, signal_sets_read(models))


def _write_card(card: Path, reports: list[Any], signal_sets: list[Any]) -> None:
    from evenhand.understand.cross_validation import cross_validate_intents
    from evenhand.understand.model_card import model_card

    started = time.perf_counter()  # the yardstick, timed in the same run as the speed
    sum(range(10**8))
    yardstick = time.perf_counter() - started
    announce("cross-validating the intent reader for the card ...")
    text = model_card(
        reports, cross_validate_intents(), yardstick=yardstick, signal_sets=signal_sets
    )
    card.write_text(text, encoding="utf-8")
    out.print(f"model card written to {card}")


@app.command("signals-cv")
def signals_cv(
    folds: Annotated[int, typer.Option(min=2, help="How many folds.")] = 5,
) -> None:
    """Cross-validate the threat-signal reader over the corpus's training sentences."""
    from evenhand.cli import render
    from evenhand.understand.cross_validation import cross_validate_signals

    render.signal_validation(out, cross_validate_signals(folds=folds))


@app.command("intent-cv")
def intent_cv(
    folds: Annotated[int, typer.Option(min=2, help="How many folds.")] = 5,
) -> None:
    """Cross-validate the intent reader over the corpus's training messages."""
    from evenhand.cli import render
    from evenhand.understand.cross_validation import cross_validate_intents

    render.intent_validation(out, cross_validate_intents(folds=folds))


@app.command("corpus-embeddings")
def corpus_embeddings() -> None:
    """Rebuild the e5 embeddings of the corpus's training messages (after editing the corpus)."""
    from evenhand.understand.embedding_model import build_artefact as build_corpus_embeddings
    from evenhand.understand.signal_model import build_e5_artefact as build_signal_embeddings

    # Signals first: the intent model's training texts leave out the sentences they flag.
    for written in (build_signal_embeddings(), build_corpus_embeddings()):
        out.print(f"written {written}")


@reader_app.command("build")
def reader_build(
    force: Annotated[
        bool, typer.Option("--force", help="Train again even if the current build is there.")
    ] = False,
) -> None:
    """Train every model of the reader from the corpus and keep them (once per corpus; the
    commands that read tickets load them in milliseconds)."""
    from evenhand.actions.reader import build_reader

    if force:
        announce("training the reader's models ...")
    build = build_reader(load(), force=force)
    state = f"built in {build.seconds:.1f} s" if build.built else "current, nothing to do"
    out.print(f"reader {build.fingerprint[:12]}: {state} ({build.path}, {build.size:,} bytes)")


@reader_app.command("status")
def reader_status(as_json: JsonFlag = False) -> None:
    """Which build of the reader the corpus and recipe call for, and whether it is there."""
    from evenhand.actions.reader import reader_status as status_of

    status = status_of(load())
    if as_json:
        out.print_json(data=status.as_json())
        return
    state = "built" if status.built else "not built: run `evenhand reader build`"
    out.print(f"reader {status.fingerprint[:12]}: {state} ({status.path})")
