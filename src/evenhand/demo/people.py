"""The demo shop's customers: names, addresses and how much they buy."""

from __future__ import annotations

import random
from dataclasses import dataclass

from evenhand.demo.catalogue import CITIES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, STREETS

FIRST_CUSTOMER_ID = 7210448300000


@dataclass(frozen=True, slots=True)
class Person:
    shopify_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    street: str
    city: str
    zip_code: str
    country: str
    accepts_marketing: bool
    subscriber: bool
    weight: float  # how much of the shop's custom they bring

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def make_people(rng: random.Random, count: int) -> list[Person]:
    people: list[Person] = []
    taken: set[str] = set()
    for number in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = _unique_email(rng, first, last=last, taken=taken)
        city, zip_code, country = rng.choice(CITIES)
        people.append(
            Person(
                shopify_id=FIRST_CUSTOMER_ID + number * 7 + rng.randrange(7),
                first_name=first,
                last_name=last,
                email=email,
                phone=f"+467{rng.randrange(10**7, 10**8)}",
                street=f"{rng.choice(STREETS)} {rng.randrange(1, 90)}",
                city=city,
                zip_code=zip_code,
                country=country,
                accepts_marketing=rng.random() < 0.55,
                subscriber=rng.random() < 0.22,
                weight=min(rng.paretovariate(1.8), 15.0),
            )
        )
    return people


def _unique_email(rng: random.Random, first: str, *, last: str, taken: set[str]) -> str:
    base = f"{first}.{last}".lower()
    for swedish, plain in (("å", "a"), ("ä", "a"), ("ö", "o"), ("é", "e")):
        base = base.replace(swedish, plain)
    while True:
        candidate = f"{base}{rng.randrange(1, 999)}@{rng.choice(EMAIL_DOMAINS)}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
