"""Finding a person's traces in stored text, in SQL first and then in Python, and rewriting
the rows that hold them a page at a time (for `privacy` and `privacy_shop`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    false,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from evenhand.store.traces import Traces

PAGE = 1000  # rows read at a time when a table is searched for a person's traces


def may_hold(column: Column[Any], traces: Traces, *, phones: bool = True) -> ColumnElement[bool]:
    """True, in SQL, of every value of the column that holds one of the traces (and of some
    that do not: `Traces` decides those in Python). The database compares at its own speed:
    a table of 100,000 raw deliveries is not read into Python to find those naming someone.

    An address or a name is looked for by its anchors with `LIKE` (SQLite) or `ILIKE`
    (PostgreSQL), which may fold ASCII letters only, so each anchor is also looked for as
    it is written in capitals and capitalised; a phone number (unless `phones` is false:
    a column that never holds one) by a regular expression. NULL holds nothing."""
    text: ColumnElement[Any] = cast(column, Text)
    variants = {
        _ascii_lower(form)
        for anchor in traces.anchors
        for form in (anchor, anchor.upper(), anchor.capitalize())
    }
    tests: list[ColumnElement[bool]] = [
        _Folded(text, literal(f"%{_like_escaped(each)}%", Text)) for each in sorted(variants)
    ]
    if phones and traces.raw_phone_pattern:
        tests.append(text.regexp_match(traces.raw_phone_pattern))
    return and_(column.is_not(None), or_(*tests)) if tests else false()


def _ascii_lower(text: str) -> str:
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def _like_escaped(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


class _Folded(FunctionElement[bool]):
    """`text LIKE pattern`, ASCII letters of either case alike: SQLite's `LIKE` is so,
    PostgreSQL's `ILIKE` at least so."""

    type = Boolean()
    inherit_cache = True


@compiles(_Folded, "sqlite")
def _like(element: _Folded, compiler: SQLCompiler, **kw: Any) -> str:
    text, pattern = (compiler.process(each, **kw) for each in element.clauses)
    return f"({text} LIKE {pattern} ESCAPE '/')"


@compiles(_Folded, "postgresql")
def _ilike(element: _Folded, compiler: SQLCompiler, **kw: Any) -> str:
    text, pattern = (compiler.process(each, **kw) for each in element.clauses)
    return f"({text} ILIKE {pattern} ESCAPE '/')"


def scrub_table(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    rewrite: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    where: ColumnElement[bool] | None = None,
) -> int:
    """The columns `names` of every row (`where` holds) through `rewrite`, a page at a time
    by id; rows it changes are written back. Returns how many."""
    key: Column[Any] = table.c.id
    columns = [table.c[name] for name in names]
    statement = update(table).where(key == bindparam("b_id"))
    statement = statement.values(
        {name: bindparam(f"b_{name}", type_=table.c[name].type) for name in names}
    )
    changed, last = 0, None
    while True:
        query = select(key, *columns).order_by(key).limit(PAGE)
        if where is not None:
            query = query.where(where)
        rows = connection.execute(query if last is None else query.where(key > last)).all()
        if not rows:
            return changed
        updates = []
        for row in rows:
            before = {name: getattr(row, name) for name in names}
            after = rewrite(before)
            if after != before:
                updates.append({"b_id": row.id} | {f"b_{name}": after[name] for name in names})
        if updates:
            connection.execute(statement, updates)
        changed += len(updates)
        last = rows[-1].id
