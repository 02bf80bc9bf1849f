"""The optional LLM reader (docs/reference/llm-reader.md): put around the reader in force
when `llm_mode` is not `off`, with the day's token budget kept against what the store
recorded; and its figures (tokens, cost, latency, fallbacks by reason) for `inbox status`
and the dashboard."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from evenhand.errors import EvenhandError, SettingsError
from evenhand.settings import Settings
from evenhand.store.database import make_engine
from evenhand.store.llm_readings import LlmTally, day_bounds, llm_tally, tokens_on
from evenhand.understand.llm_schema import LlmMode
from evenhand.understand.model import Reader

if TYPE_CHECKING:
    from evenhand.understand.llm_client import ChatClient
    from evenhand.understand.reader import EmbeddedReader

THOUSAND = Decimal(1000)


def with_llm(
    reader: EmbeddedReader,
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Reader:
    """The reader itself with `llm_mode` off; else the LLM reader around it. Refused, naming
    the settings, when the endpoint or the model is not set."""
    if settings.llm_mode is LlmMode.OFF:
        return reader
    from evenhand.understand.llm_reader import (  # noqa: PLC0415 (httpx)
        LlmConfig,
        LlmReader,
        TokenBudget,
    )

    base_url, model = _endpoint(settings)
    config = LlmConfig(
        model=model,
        mode=settings.llm_mode,
        second_opinion_below=settings.llm_second_opinion_below,
        concurrency=settings.llm_concurrency,
    )
    budget = TokenBudget(
        per_day=settings.llm_budget_tokens_per_day,
        spent_on=lambda day: recorded_tokens(settings, day),
        clock=clock or (lambda: datetime.now(UTC)),
    )
    return LlmReader(reader, _chat_client(settings, base_url, sleep=sleep), config, budget)


def _chat_client(
    settings: Settings, base_url: str, *, sleep: Callable[[float], None] | None
) -> ChatClient:
    from evenhand.understand.llm_client import ChatClient  # noqa: PLC0415 (httpx)

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return ChatClient(
        base_url=base_url,
        api_key=key,
        timeout=settings.llm_timeout_seconds,
        sleep=sleep or time.sleep,
    )


def _endpoint(settings: Settings) -> tuple[str, str]:
    missing = [
        f"llm_{name} (EVENHAND_LLM_{name.upper()})"
        for name, value in (("base_url", settings.llm_base_url), ("model", settings.llm_model))
        if not value
    ]
    if missing or settings.llm_base_url is None or settings.llm_model is None:
        raise EvenhandError(
            SettingsError.BAD_SETTINGS,
            f"llm_mode is {settings.llm_mode.value!r} but {' and '.join(missing)} is not set",
        )
    return settings.llm_base_url, settings.llm_model


def recorded_tokens(settings: Settings, day: date) -> int:
    """The tokens the store recorded that UTC day (0 where there is no database yet)."""
    url = make_url(settings.db)
    if url.drivername.startswith("sqlite") and not Path(url.database or "").exists():
        return 0
    try:
        with make_engine(settings.db).connect() as connection:
            return tokens_on(connection, day)
    except (EvenhandError, SQLAlchemyError):
        return 0


@dataclass(frozen=True, slots=True)
class LlmPrices:
    prompt_per_1k: Decimal
    completion_per_1k: Decimal
    currency: str

    @classmethod
    def of(cls, settings: Settings) -> LlmPrices:
        return cls(
            prompt_per_1k=settings.llm_price_per_1k_prompt_tokens,
            completion_per_1k=settings.llm_price_per_1k_completion_tokens,
            currency=settings.llm_price_currency,
        )

    def cost(self, tally: LlmTally) -> Decimal:
        prompt = Decimal(tally.prompt_tokens) * self.prompt_per_1k
        completion = Decimal(tally.completion_tokens) * self.completion_per_1k
        return (prompt + completion) / THOUSAND


@dataclass(frozen=True, slots=True)
class LlmFigures:
    """The LLM reader's figures for a UTC day and the 30 days up to it."""

    mode: str
    budget_per_day: int
    prices: LlmPrices
    today: LlmTally
    month: LlmTally

    @property
    def shown(self) -> bool:
        """Worth a line: the reader is on, or it was asked in the last 30 days."""
        return self.mode != LlmMode.OFF.value or self.month.asked > 0

    @property
    def left_today(self) -> int:
        return max(self.budget_per_day - self.today.tokens, 0)

    def cost(self, tally: LlmTally) -> Decimal:
        return self.prices.cost(tally)

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "budget_tokens_per_day": self.budget_per_day,
            "currency": self.prices.currency,
            "today": tally_json(self.today, self.prices),
            "last_30_days": tally_json(self.month, self.prices),
        }


def tally_json(tally: LlmTally, prices: LlmPrices) -> dict[str, Any]:
    latency = tally.mean_latency_ms
    return {
        "asked": tally.asked,
        "used": tally.used,
        "prompt_tokens": tally.prompt_tokens,
        "completion_tokens": tally.completion_tokens,
        "cost": str(prices.cost(tally).quantize(Decimal("0.0001"))),
        "mean_latency_ms": None if latency is None else round(latency),
        "fallbacks": dict(sorted(tally.fallbacks.items())),
    }


def llm_figures(connection: Connection, settings: Settings, *, now: datetime) -> LlmFigures:
    start, end = day_bounds(now.astimezone(UTC).date())
    return LlmFigures(
        mode=settings.llm_mode.value,
        budget_per_day=settings.llm_budget_tokens_per_day,
        prices=LlmPrices.of(settings),
        today=llm_tally(connection, since=start, until=end),
        month=llm_tally(connection, since=end - timedelta(days=30), until=end),
    )


def llm_board(engine: Engine, settings: Settings, *, now: datetime) -> LlmFigures | None:
    """The dashboard's LLM figures: None when the reader is off and was not asked lately."""
    with engine.connect() as connection:
        figures = llm_figures(connection, settings, now=now)
    return figures if figures.shown else None
