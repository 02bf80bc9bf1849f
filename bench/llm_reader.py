"""What the optional LLM reader costs: tokens and money per 1,000 tickets, and the time it
adds to each message on this side of the wire.

Tickets (the validation splits' outside-style mail, repeated up to --tickets) are triaged
into a scratch SQLite database by the LLM reader in each mode, against the local
chat-completions server of the tests (`tests/llm_fake.py`: it answers at once, and counts a
token per four characters of what it is sent and answers, the schema included; a real
endpoint's tokenizer and latency differ). The cost comes from the tokens recorded per
decision (`llm_readings`) at the prices given (default gpt-4o-mini's list prices, USD per
1,000 tokens), or EVENHAND_LLM_PRICE_PER_1K_* when set. The overhead is the time asking
the LLM adds to a message the built-in reader has read, one at a time: the request built,
a loopback round trip, the answer parsed, validated and merged. Nothing reaches the
internet.

    .venv/bin/python bench/llm_reader.py [--tickets 1000] [--price-prompt 0.00015]
        [--price-completion 0.0006]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' local server

from tests.llm_fake import API_KEY, FakeLlm, a_reading, llm_server

from evenhand.actions.guide import load_guide
from evenhand.actions.llm import LlmPrices, llm_figures, with_llm
from evenhand.actions.reader import base_reader
from evenhand.actions.triage import triage_tickets
from evenhand.ingest.tickets import TicketIn
from evenhand.settings import Settings
from evenhand.store.database import make_engine, upgrade
from evenhand.store.llm_readings import LlmTally
from evenhand.understand.evaluation import validation_examples, validation_splits
from evenhand.understand.llm_reader import LlmReader
from evenhand.understand.llm_schema import LlmMode
from evenhand.understand.model import Message
from evenhand.understand.reader import EmbeddedReader
from yardstick import print_yardstick

NOW = datetime.now(UTC)


def tickets(count: int) -> list[TicketIn]:
    bodies = [e.body for name in validation_splits() for e in validation_examples(name)]
    return [
        TicketIn(
            ticket_id=f"b-{i}",
            created_at=NOW,
            channel="email",
            customer_email=f"customer{i}@example.com",
            body=bodies[i % len(bodies)],
        )
        for i in range(count)
    ]


def run_mode(mode: LlmMode, base: EmbeddedReader, args: argparse.Namespace, url: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        settings = Settings(
            db=db,
            llm_mode=mode,
            llm_base_url=url,
            llm_model="bench-model",
            llm_api_key=API_KEY,
            llm_budget_tokens_per_day=10**12,
            llm_price_per_1k_prompt_tokens=args.price_prompt,
            llm_price_per_1k_completion_tokens=args.price_completion,
        )
        engine = make_engine(db)
        upgrade(engine)
        reader = with_llm(base, settings)
        records = tickets(args.tickets)
        started = time.perf_counter()
        triage_tickets(
            engine,
            records=records,
            guide=load_guide(settings),
            reader=reader,
            settings=settings,
            now=NOW,
        )
        elapsed = time.perf_counter() - started
        with engine.connect() as connection:
            figures = llm_figures(connection, settings, now=NOW)
        report(mode, figures.today, LlmPrices.of(settings), len(records), elapsed)
        engine.dispose()


def report(mode: LlmMode, tally: LlmTally, prices: LlmPrices, count: int, elapsed: float) -> None:
    cost = prices.cost(tally) * Decimal(1000) / Decimal(count)
    asked, tokens = tally.asked, tally.tokens
    print(
        f"{mode.value}: {count:,} tickets triaged in {elapsed:.1f} s; the LLM asked about "
        f"{asked:,} ({100 * asked / count:.0f} %), "
        f"{tokens / count:,.0f} tokens a ticket "
        f"({tally.prompt_tokens:,} prompt + {tally.completion_tokens:,} completion); "
        f"cost per 1,000 tickets: {cost:.4f} {prices.currency}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--price-prompt", type=Decimal, default=None)
    parser.add_argument("--price-completion", type=Decimal, default=None)
    args = parser.parse_args()
    configured = Settings()
    args.price_prompt = args.price_prompt or configured.llm_price_per_1k_prompt_tokens
    args.price_prompt = args.price_prompt or Decimal("0.00015")
    args.price_completion = args.price_completion or configured.llm_price_per_1k_completion_tokens
    args.price_completion = args.price_completion or Decimal("0.0006")
    print_yardstick()
    print(
        f"prices: {args.price_prompt} per 1k prompt tokens, {args.price_completion} per 1k "
        f"completion tokens ({configured.llm_price_currency})"
    )
    base = base_reader(Settings(), announce=print)
    fake = FakeLlm(reading=a_reading("damaged_item", confidence=0.9), counts_tokens=True)
    with llm_server(fake) as url:
        overhead(base, url, args.tickets)
        for mode in (LlmMode.ALL, LlmMode.SECOND_OPINION):
            run_mode(mode, base, args, url)


def overhead(base: EmbeddedReader, url: str, count: int) -> None:
    """The time asking the LLM adds to a message already read by the built-in reader:
    the request built, sent over loopback, the answer parsed, validated and merged."""
    messages = [Message(body=t.body) for t in tickets(min(count, 300))]
    settings = Settings(
        llm_mode=LlmMode.ALL, llm_base_url=url, llm_model="bench-model", llm_api_key=API_KEY
    )
    with tempfile.TemporaryDirectory() as folder:
        settings = settings.model_copy(update={"db": f"sqlite:///{Path(folder) / 'none.db'}"})
        reader = with_llm(base, settings)
        assert isinstance(reader, LlmReader)
        started = time.perf_counter()
        pairs = base.read_many_with_texts(messages)
        alone = time.perf_counter() - started
        for reading, text in pairs[:20]:  # warm up
            reader.ask(reading, text)
        started = time.perf_counter()
        for reading, text in pairs:
            reader.ask(reading, text)
        asked = time.perf_counter() - started
    per = 1000 / len(messages)
    print(
        f"{len(messages)} messages: the built-in reader {alone * per:.2f} ms a message (in one "
        f"batch); asking the LLM adds {asked * per:.2f} ms a message on this side (one at a "
        "time, a loopback server answering at once)"
    )


if __name__ == "__main__":
    main()
