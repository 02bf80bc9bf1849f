"""The whole demo shop: its export files, generated from one seed."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from evenhand.demo.catalogue import PRODUCTS
from evenhand.demo.disputes import shopify_disputes, stripe_dispute_events, write_json
from evenhand.demo.orders import DemoLine, DemoOrder, demo_end, make_orders, write_orders_csv
from evenhand.demo.people import Person, make_people
from evenhand.demo.reviews import demo_reviews
from evenhand.demo.tickets import write_demo_tickets

CUSTOMERS_HEADER = [
    "Customer ID",
    "First Name",
    "Last Name",
    "Email",
    "Accepts Email Marketing",
    "Default Address Company",
    "Default Address Address1",
    "Default Address Address2",
    "Default Address City",
    "Default Address Province Code",
    "Default Address Country Code",
    "Default Address Zip",
    "Default Address Phone",
    "Phone",
    "Accepts SMS Marketing",
    "Total Spent",
    "Total Orders",
    "Note",
    "Tax Exempt",
    "Tags",
]
DEFAULT_SEED = 20261124


@dataclass(frozen=True, slots=True)
class DemoFiles:
    orders_csv: Path
    customers_csv: Path
    products_csv: Path
    shopify_disputes: Path
    stripe_disputes: Path
    tickets: Path
    line_items: int
    reviews: Path | None = None  # Trustpilot service reviews, imported after the triage


def write_demo_shop(
    folder: Path, *, seed: int = DEFAULT_SEED, customers: int = 3000, orders: int = 10_000
) -> DemoFiles:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    people, placed = demo_customers_and_orders(rng, customers=customers, orders=orders)
    files = DemoFiles(
        orders_csv=folder / "orders_export.csv",
        customers_csv=folder / "customers_export.csv",
        products_csv=folder / "products_export.csv",
        shopify_disputes=folder / "shopify_disputes.json",
        stripe_disputes=folder / "stripe_dispute_events.json",
        tickets=folder / "tickets.jsonl",
        line_items=0,
    )
    line_items = write_orders_csv(files.orders_csv, placed)
    write_customers_csv(files.customers_csv, people, orders=placed)
    write_products_csv(files.products_csv)
    write_json(files.shopify_disputes, shopify_disputes(rng, placed))
    write_json(files.stripe_disputes, stripe_dispute_events(rng, placed))
    write_demo_tickets(files.tickets, rng, orders=placed, end=demo_end())
    reviews = folder / "trustpilot_reviews.json"
    # A generator of its own: the files above stay as they were for a seed.
    written = demo_reviews(random.Random(seed + 26), tickets=files.tickets, orders=placed)
    write_json(reviews, written)
    return replace(files, line_items=line_items, reviews=reviews)


def demo_customers_and_orders(
    rng: random.Random, *, customers: int = 3000, orders: int = 10_000
) -> tuple[list[Person], list[DemoOrder]]:
    """The demo shop's people and orders (the same for the same seed), test orders included."""
    people = make_people(rng, customers)
    placed = make_orders(rng, people, count=orders, end=demo_end())
    placed.extend(_test_orders(next_number=1001 + len(placed)))
    return people, placed


SHOP_OWNER = Person(
    shopify_id=7210448299999,
    first_name="Karin",
    last_name="Nordhem",
    email="butik@nordhem.example",
    phone="+46701110000",
    street="Hamngatan 3",
    city="Stockholm",
    zip_code="11147",
    country="SE",
    accepts_marketing=False,
    subscriber=False,
    weight=0.0,
)


def _test_orders(*, next_number: int) -> list[DemoOrder]:
    """Orders the shop placed itself with Shopify's test gateway while trying a new product."""
    owner = SHOP_OWNER
    return [
        DemoOrder(
            number=next_number + n,
            person=owner,
            created=demo_end() - timedelta(days=3, hours=n),
            lines=[DemoLine(PRODUCTS[3 + n], 1)],
            gateway="(for testing) Bogus Gateway",
            reference=f"c9{n}.1",
            subscription=False,
            tags=["test"],
        )
        for n in range(2)
    ]


PRODUCTS_HEADER = [
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Product Category",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Option3 Name",
    "Option3 Value",
    "Variant SKU",
    "Variant Grams",
    "Variant Inventory Tracker",
    "Variant Inventory Qty",
    "Variant Inventory Policy",
    "Variant Fulfillment Service",
    "Variant Price",
    "Variant Compare At Price",
    "Variant Requires Shipping",
    "Variant Taxable",
    "Variant Barcode",
    "Image Src",
    "Image Position",
    "Image Alt Text",
    "Gift Card",
    "SEO Title",
    "SEO Description",
    "Google Shopping / Google Product Category",
    "Google Shopping / Gender",
    "Google Shopping / Age Group",
    "Google Shopping / MPN",
    "Google Shopping / Condition",
    "Google Shopping / Custom Product",
    "Google Shopping / Custom Label 0",
    "Google Shopping / Custom Label 1",
    "Google Shopping / Custom Label 2",
    "Google Shopping / Custom Label 3",
    "Google Shopping / Custom Label 4",
    "Variant Image",
    "Variant Weight Unit",
    "Variant Tax Code",
    "Cost per item",
    "Status",
]


def write_products_csv(path: Path) -> None:
    """The products export: one row per variant, with Shopify's "Cost per item"."""
    column = {name: index for index, name in enumerate(PRODUCTS_HEADER)}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PRODUCTS_HEADER)
        for product in PRODUCTS:
            row = [""] * len(PRODUCTS_HEADER)
            cells = {
                "Handle": product.sku.lower(),
                "Title": product.name,
                "Vendor": "Nordhem",
                "Published": "true",
                "Option1 Name": "Title",
                "Option1 Value": "Default Title",
                "Variant SKU": product.sku,
                "Variant Inventory Policy": "deny",
                "Variant Fulfillment Service": "manual",
                "Variant Price": str(product.price),
                "Variant Compare At Price": str(product.compare_at or ""),
                "Variant Requires Shipping": "false" if product.sku.startswith("GIFT") else "true",
                "Variant Taxable": "true",
                "Gift Card": str(product.sku.startswith("GIFT")).lower(),
                "Cost per item": str(product.cost or ""),
                "Status": "active",
            }
            for name, value in cells.items():
                row[column[name]] = value
            writer.writerow(row)


def write_customers_csv(path: Path, people: list[Person], *, orders: list[DemoOrder]) -> None:
    spent: dict[str, tuple[int, Decimal]] = {}
    for order in orders:
        if order.cancelled_at is None:
            count, total = spent.get(order.person.email, (0, Decimal("0.00")))
            spent[order.person.email] = (count + 1, total + order.total - order.refunded)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CUSTOMERS_HEADER)
        for person in people:
            count, total = spent.get(person.email, (0, Decimal("0.00")))
            writer.writerow(
                [
                    f"'{person.shopify_id}",
                    person.first_name,
                    person.last_name,
                    person.email,
                    "yes" if person.accepts_marketing else "no",
                    "",
                    person.street,
                    "",
                    person.city,
                    "",
                    person.country,
                    f"'{person.zip_code}",
                    f"'{person.phone}",
                    f"'{person.phone}",
                    "no",
                    str(total),
                    str(count),
                    "",
                    "no",
                    "Prenumerant" if person.subscriber else "",
                ]
            )
