"""Alembic environment: runs on the engine Evenhand hands over in the config."""

from __future__ import annotations

from alembic import context

from evenhand.store.tables import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=engine.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
