"""The one shop this database belongs to: its currency is fixed by the first import."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from evenhand.store.tables import shop

SHOP_ID = 1


def shop_currency(connection: Connection) -> str | None:
    return connection.execute(select(shop.c.currency).where(shop.c.id == SHOP_ID)).scalar()


def set_shop_currency(connection: Connection, currency: str) -> None:
    exists = connection.execute(select(shop.c.id).where(shop.c.id == SHOP_ID)).first()
    if exists is None:
        connection.execute(insert(shop).values(id=SHOP_ID, currency=currency))
    else:
        connection.execute(update(shop).where(shop.c.id == SHOP_ID).values(currency=currency))
