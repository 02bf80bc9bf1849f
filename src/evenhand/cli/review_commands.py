"""`evenhand reviews`: customers' public reviews, imported and listed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evenhand.cli.app import DbOption, JsonFlag, announce, app, load, now, out

reviews_app = typer.Typer(
    help="Public reviews (Trustpilot, Google Business Profile, Judge.me).", no_args_is_help=True
)
app.add_typer(reviews_app, name="reviews")


@reviews_app.command("import")
def import_reviews(
    path: Annotated[Path, typer.Argument(help="A Trustpilot, Google or Judge.me reviews file.")],
    db: DbOption = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid reviews, list the others.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Import reviews and match each to a customer by e-mail or the order it names."""
    from evenhand.actions.public_reviews import import_public_reviews
    from evenhand.actions.reader import load_reader
    from evenhand.store.database import make_engine

    settings = load(db)
    done = import_public_reviews(
        make_engine(settings.db),
        path=path,
        now=now(),
        skip_invalid=skip_invalid,
        reader=load_reader(settings, announce=announce),
    )
    figures = {
        "file": str(done.path),
        "read": done.records,
        "created": done.created,
        "updated": done.updated,
        "matched": done.matched,
        "unmatched": done.unmatched,
        "rejected": [
            {"line": r.line, "record": r.record, "field": r.column, "reason": r.reason}
            for r in done.rejections
        ],
    }
    if as_json:
        sys.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
        return
    out.print(
        f"[bold]reviews[/] {escape(str(path))}: {done.records} read, {done.created} new, "
        f"{done.updated} updated; {done.matched} matched to a customer, "
        f"{done.unmatched} unmatched"
    )
    for rejection in done.rejections:
        out.print(
            f"  rejected {escape(str(rejection.record))} (line {rejection.line}, "
            f"{rejection.column}): {escape(rejection.reason)}"
        )


@reviews_app.command("list")
def list_reviews(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """The latest reviews, newest first, with their customer and reply."""
    from evenhand.actions.public_reviews import review_board
    from evenhand.store.database import make_engine

    board = review_board(make_engine(load(db).db))
    if as_json:
        shown = [
            {
                "platform": row.platform,
                "id": row.external_id,
                "rating": row.rating,
                "created_at": row.created_at.isoformat(),
                "reviewer": row.reviewer,
                "customer_email": row.customer_email,
                "replied": row.reply_text is not None,
            }
            for row in board.rows
        ]
        sys.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("Date", "Stars", "Platform", "Reviewer", "Customer", "Replied", "Text")
    for row in board.rows:
        table.add_row(
            row.created_at.strftime("%Y-%m-%d"),
            "★" * row.rating,
            row.platform,
            escape(row.reviewer or ""),
            escape(row.customer_email or "unmatched"),
            "yes" if row.reply_text else "no",
            escape(row.text[:60]),
        )
    out.print(table)
    out.print(f"{board.total} review(s), {board.replied} replied")
