"""Demo orders, written as a real Shopify orders CSV export (one row per line item)."""

from __future__ import annotations

import csv
import random
import string
from bisect import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from pathlib import Path

from evenhand.demo.catalogue import PRODUCTS, Product
from evenhand.demo.people import Person

# The export's header, exactly as Shopify writes it (see shared/reference/integrations.md §1.3).
ORDERS_HEADER = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Street",
    "Billing Address1",
    "Billing Address2",
    "Billing Company",
    "Billing City",
    "Billing Zip",
    "Billing Province",
    "Billing Country",
    "Billing Phone",
    "Shipping Name",
    "Shipping Street",
    "Shipping Address1",
    "Shipping Address2",
    "Shipping Company",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Note Attributes",
    "Cancelled at",
    "Payment Method",
    "Payment Reference",
    "Refunded Amount",
    "Vendor",
    "Outstanding Balance",
    "Employee",
    "Location",
    "Device ID",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Lineitem discount",
    "Tax 1 Name",
    "Tax 1 Value",
    "Tax 2 Name",
    "Tax 2 Value",
    "Tax 3 Name",
    "Tax 3 Value",
    "Tax 4 Name",
    "Tax 4 Value",
    "Tax 5 Name",
    "Tax 5 Value",
    "Phone",
    "Receipt Number",
    "Duties",
    "Billing Province Name",
    "Shipping Province Name",
    "Payment ID",
    "Payment Terms Name",
    "Next Payment Due At",
    "Payment References",
]
COLUMN = {name: index for index, name in enumerate(ORDERS_HEADER)}

VENDOR = "Nordhem"
FIRST_ORDER_ID = 5_810_000_000_000
CENT = Decimal("0.01")
FREE_SHIPPING_FROM = Decimal("499.00")
SHIPPING = (
    ("PostNord MyPack Collect", Decimal("49.00")),
    ("Budbee Hemleverans", Decimal("69.00")),
    ("Instabox", Decimal("39.00")),
)
ONE_OFF = tuple(product for product in PRODUCTS if not product.subscription)
SUBSCRIPTIONS = tuple(product for product in PRODUCTS if product.subscription)
_BASE62 = string.ascii_letters + string.digits


@dataclass(slots=True)
class DemoLine:
    product: Product
    quantity: int
    discount: Decimal = Decimal("0.00")


@dataclass(slots=True)
class DemoOrder:
    number: int
    person: Person
    created: datetime  # UTC
    lines: list[DemoLine]
    gateway: str
    reference: str
    subscription: bool
    shipping_method: str = ""
    shipping: Decimal = Decimal("0.00")
    discount_code: str = ""
    financial_status: str = "paid"
    fulfillment_status: str = "fulfilled"
    cancelled_at: datetime | None = None
    refunded: Decimal = Decimal("0.00")
    tags: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"#{self.number}"

    @property
    def shopify_id(self) -> int:
        return FIRST_ORDER_ID + self.number * 13

    @property
    def discount(self) -> Decimal:
        return sum((line.discount for line in self.lines), Decimal("0.00"))

    @property
    def subtotal(self) -> Decimal:
        gross = sum((line.product.price * line.quantity for line in self.lines), Decimal("0.00"))
        return gross - self.discount

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping

    @property
    def taxes(self) -> Decimal:
        """Swedish prices include 25 % VAT: the tax is a fifth of the total."""
        return (self.total / 5).quantize(CENT, rounding=ROUND_HALF_UP)


def make_orders(
    rng: random.Random, people: list[Person], *, count: int, end: datetime, days: int = 730
) -> list[DemoOrder]:
    """`count` orders over the `days` before `end`, numbered #1001 upwards in time order.

    Each order goes to a customer drawn by their own weight (their buying rate, fixed when
    the people are made), whatever happened before: these are also the orders the demo's
    customers place after their tickets, so the outcome figures ("did being generous
    pay?") have follow-ups to count, and no remedy changes them. The demo must not fake the
    answer: a remedy's or the VIP line's effect on later buying is for a real shop's data
    to show."""
    cumulative = list(accumulate(person.weight for person in people))
    span = days * 86400
    moments = sorted(end - timedelta(seconds=rng.random() * span) for _ in range(count))
    orders = []
    for number, moment in enumerate(moments, start=1001):
        person = people[bisect(cumulative, rng.random() * cumulative[-1])]
        order = _order(rng, number, person=person, moment=moment)
        _settle(rng, order, end=end)
        orders.append(order)
    return orders


def _order(rng: random.Random, number: int, *, person: Person, moment: datetime) -> DemoOrder:
    if person.subscriber and rng.random() < 0.75:
        product = SUBSCRIPTIONS[person.shopify_id % len(SUBSCRIPTIONS)]
        return DemoOrder(
            number=number,
            person=person,
            created=moment,
            lines=[DemoLine(product, 1)],
            gateway="stripe",
            reference=f"pi_3{_token(rng, 23)}",
            subscription=True,
            shipping_method="PostNord MyPack Collect",
            tags=["Subscription", "Subscription Recurring Order"],
        )
    picks = rng.sample(ONE_OFF, k=rng.choices((1, 2, 3, 4), weights=(50, 30, 15, 5))[0])
    lines = [DemoLine(p, 2 if rng.random() < 0.1 else 1) for p in picks]
    gateway = rng.choices(
        ("Shopify Payments", "Klarna", "PayPal Express Checkout"), weights=(70, 22, 8)
    )[0]
    order = DemoOrder(
        number=number,
        person=person,
        created=moment,
        lines=lines,
        gateway=gateway,
        reference=f"c{rng.randrange(10**13, 10**14)}.1",
        subscription=False,
    )
    if rng.random() < 0.12:
        _discount(order, "VALKOMMEN10")
    method, price = rng.choice(SHIPPING)
    order.shipping_method = method
    order.shipping = Decimal("0.00") if order.subtotal >= FREE_SHIPPING_FROM else price
    return order


def _discount(order: DemoOrder, code: str) -> None:
    order.discount_code = code
    for line in order.lines:
        line.discount = (line.product.price * line.quantity / 10).quantize(CENT)


def _settle(rng: random.Random, order: DemoOrder, *, end: datetime) -> None:
    """Payment, fulfilment, refund and cancellation, as they would stand at `end`."""
    age = end - order.created
    luck = rng.random()
    if age < timedelta(days=2):
        order.fulfillment_status = "unfulfilled"
        order.financial_status = "authorized" if order.gateway == "Klarna" else "paid"
    elif luck < 0.015:
        order.financial_status, order.fulfillment_status = "voided", "unfulfilled"
        order.cancelled_at = order.created + timedelta(hours=rng.randrange(1, 30))
    elif luck < 0.045:
        order.financial_status, order.refunded = "refunded", order.total
    elif luck < 0.10:
        order.financial_status = "partially_refunded"
        line = order.lines[0]
        order.refunded = line.product.price - line.discount


def _token(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(_BASE62) for _ in range(size))


def local_time(moment: datetime) -> str:
    """Shopify's export form in Swedish time: CEST (+0200) April-October, else CET (+0100)."""
    offset = 2 if 4 <= moment.month <= 10 else 1
    local = moment.astimezone(timezone(timedelta(hours=offset)))
    return local.strftime("%Y-%m-%d %H:%M:%S ") + f"+0{offset}00"


def write_orders_csv(path: Path, orders: list[DemoOrder]) -> int:
    """The export, newest order first as Shopify lists them; returns the number of rows."""
    rows = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ORDERS_HEADER)
        for order in reversed(orders):
            for row in order_rows(order):
                writer.writerow(row)
                rows += 1
    return rows


def order_rows(order: DemoOrder) -> list[list[str]]:
    rows = []
    for position, line in enumerate(order.lines):
        row = [""] * len(ORDERS_HEADER)
        row[COLUMN["Name"]], row[COLUMN["Email"]] = order.name, order.person.email
        _line_cells(row, order, line=line)
        if position == 0:
            _order_cells(row, order)
        rows.append(row)
    return rows


def _line_cells(row: list[str], order: DemoOrder, *, line: DemoLine) -> None:
    product = line.product
    row[COLUMN["Lineitem quantity"]] = str(line.quantity)
    row[COLUMN["Lineitem name"]] = product.name
    row[COLUMN["Lineitem price"]] = str(product.price)
    row[COLUMN["Lineitem compare at price"]] = str(product.compare_at or "")
    row[COLUMN["Lineitem sku"]] = product.sku
    row[COLUMN["Lineitem requires shipping"]] = (
        "false" if product.sku.startswith("GIFT") else "true"
    )
    row[COLUMN["Lineitem taxable"]] = "true"
    row[COLUMN["Lineitem fulfillment status"]] = (
        "fulfilled" if order.fulfillment_status == "fulfilled" else "pending"
    )
    row[COLUMN["Vendor"]] = VENDOR
    row[COLUMN["Lineitem discount"]] = str(line.discount)


def _order_cells(row: list[str], order: DemoOrder) -> None:
    person, created = order.person, local_time(order.created)
    paid = order.financial_status not in {"authorized", "pending", "voided"}
    fulfilled = order.fulfillment_status == "fulfilled"
    cells = {
        "Financial Status": order.financial_status,
        "Paid at": created if paid else "",
        "Fulfillment Status": order.fulfillment_status,
        "Fulfilled at": local_time(order.created + timedelta(days=1)) if fulfilled else "",
        "Accepts Marketing": "yes" if person.accepts_marketing else "no",
        "Currency": "SEK",
        "Subtotal": str(order.subtotal),
        "Shipping": str(order.shipping),
        "Taxes": str(order.taxes),
        "Total": str(order.total),
        "Discount Code": order.discount_code,
        "Discount Amount": str(order.discount) if order.discount_code else "0.00",
        "Shipping Method": order.shipping_method,
        "Created at": created,
        "Cancelled at": local_time(order.cancelled_at) if order.cancelled_at else "",
        "Payment Method": order.gateway,
        "Payment Reference": order.reference,
        "Refunded Amount": str(order.refunded),
        "Outstanding Balance": "0.00",
        "Id": str(order.shopify_id),
        "Tags": ", ".join(order.tags),
        "Risk Level": "Low",
        "Source": "subscription_contract" if order.subscription else "web",
        "Tax 1 Name": "SE Moms 25%",
        "Tax 1 Value": str(order.taxes),
        "Phone": f"'{person.phone}",
        "Payment ID": order.reference if order.subscription else "",
        "Payment References": order.reference,
    }
    cells.update(_address_cells("Billing", person))
    cells.update(_address_cells("Shipping", person))
    for name, value in cells.items():
        row[COLUMN[name]] = value


def _address_cells(kind: str, person: Person) -> dict[str, str]:
    return {
        f"{kind} Name": person.full_name,
        f"{kind} Street": person.street,
        f"{kind} Address1": person.street,
        f"{kind} City": person.city,
        f"{kind} Zip": f"'{person.zip_code}",
        f"{kind} Country": person.country,
        f"{kind} Phone": f"'{person.phone}",
    }


def demo_end() -> datetime:
    """The demo shop's 'today': fixed, so the demo is the same on every machine."""
    return datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
