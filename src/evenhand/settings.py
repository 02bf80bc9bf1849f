"""Typed settings: environment (EVENHAND_*) over the settings file over defaults.

The settings file is `evenhand.toml` in the working folder, or the file named by
EVENHAND_SETTINGS. `evenhand init` writes one with every setting documented.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from evenhand.domain.money import normalise_currency
from evenhand.domain.value import LtvMetric
from evenhand.understand.llm_schema import LlmMode

DEFAULT_SETTINGS_FILE = "evenhand.toml"
DEFAULT_DB_URL = "sqlite:///evenhand.sqlite3"


def settings_file_path() -> Path:
    return Path(os.environ.get("EVENHAND_SETTINGS", DEFAULT_SETTINGS_FILE))


class Settings(BaseSettings):
    """Everything Evenhand can be told. Each field is documented in the settings file
    `evenhand init` writes (`evenhand.actions.settings_text`)."""

    model_config = SettingsConfigDict(env_prefix="EVENHAND_", extra="ignore")

    db: Annotated[
        str,
        Field(
            description="SQLAlchemy URL of the database: sqlite:///FILE or "
            "postgresql://USER@HOST/DB (`--db` on every command overrides it). SQLite waits up "
            "to 10 s for another writer; ?timeout=SECONDS in the URL changes that."
        ),
    ] = DEFAULT_DB_URL
    currency: Annotated[
        str | None,
        Field(description="The shop's currency; unset, the first import decides it."),
    ] = None
    margin_rate: Annotated[
        Decimal,
        Field(ge=0, le=1, description="Gross margin assumed where a line item's cost is unknown."),
    ] = Decimal("0.40")
    ltv_metric: Annotated[
        LtvMetric, Field(description="The figure that stands for a customer's lifetime value.")
    ] = LtvMetric.NET_REVENUE
    market: Annotated[
        str,
        Field(
            description="The shop's home market (ISO country), e.g. SE: the language prior "
            "for short messages."
        ),
    ] = "SE"
    guide: Annotated[
        Path | None,
        Field(description="The resolution guide (YAML); unset, the default guide."),
    ] = None
    intent_threshold: Annotated[
        float,
        Field(ge=0, le=1, description="Below this confidence a message's intent is `other`."),
    ] = 0.2
    llm_mode: Annotated[
        LlmMode,
        Field(
            description="The optional LLM reader: `off` (the built-in reader alone), `all` "
            "(every message goes to the LLM) or `second_opinion` (only messages the built-in "
            "reader is unsure of, below `llm_second_opinion_below`, or reads as `other`). "
            "It sees the message text only (docs/reference/llm-reader.md)."
        ),
    ] = LlmMode.OFF
    llm_base_url: Annotated[
        str | None,
        Field(
            description="An OpenAI-compatible API's base URL (POST {llm_base_url}/chat/"
            "completions), e.g. https://api.openai.com/v1."
        ),
    ] = None
    llm_model: Annotated[
        str | None, Field(description="The model the LLM reader asks, e.g. gpt-4o-mini.")
    ] = None
    llm_api_key: Annotated[
        SecretStr | None, Field(description="The LLM endpoint's API key (sent as a Bearer token).")
    ] = None
    llm_timeout_seconds: Annotated[
        float,
        Field(
            gt=0,
            le=120,
            description="How long one LLM request may take; a later answer is not waited for "
            "(the built-in reader's reading is kept, counted as `timeout`).",
        ),
    ] = 10.0
    llm_concurrency: Annotated[
        int,
        Field(
            ge=1,
            le=32,
            description="Requests the LLM reader sends at once for a batch of messages "
            "(a triaged file, the worker's batch).",
        ),
    ] = 4
    llm_second_opinion_below: Annotated[
        float,
        Field(
            ge=0,
            le=1,
            description="In `second_opinion` mode, the built-in reader's confidence below "
            "which the LLM is asked.",
        ),
    ] = 0.5
    llm_budget_tokens_per_day: Annotated[
        int,
        Field(
            ge=0,
            description="Tokens (prompt and completion) the LLM reader may use per UTC day; "
            "past it messages are read by the built-in reader (counted as `over_budget`).",
        ),
    ] = 1_000_000
    llm_price_per_1k_prompt_tokens: Annotated[
        Decimal,
        Field(ge=0, description="What 1,000 prompt tokens cost, for the cost figures."),
    ] = Decimal("0")
    llm_price_per_1k_completion_tokens: Annotated[
        Decimal,
        Field(ge=0, description="What 1,000 completion tokens cost, for the cost figures."),
    ] = Decimal("0")
    llm_price_currency: Annotated[
        str, Field(description="The currency of the LLM's prices (the provider's, e.g. USD).")
    ] = "USD"
    reader_folder: Annotated[
        Path | None,
        Field(
            description="Where `evenhand reader build` keeps the reader's models; unset, "
            "$XDG_CACHE_HOME/evenhand or ~/.cache/evenhand."
        ),
    ] = None

    # The service (`evenhand serve`): webhook secrets, each with a second one for rotation.
    shopify_webhook_secret: Annotated[
        SecretStr | None, Field(description="Shopify app client secret (webhook HMAC key).")
    ] = None
    shopify_webhook_secret_previous: Annotated[
        SecretStr | None, Field(description="The Shopify secret before rotation, still accepted.")
    ] = None
    shopify_shop_domain: Annotated[
        str | None,
        Field(description="The shop's myshopify.com domain; deliveries for others are refused."),
    ] = None
    stripe_webhook_secret: Annotated[
        SecretStr | None, Field(description="Stripe endpoint signing secret (whsec_...).")
    ] = None
    stripe_webhook_secret_previous: Annotated[
        SecretStr | None, Field(description="The Stripe secret before rotation, still accepted.")
    ] = None
    zendesk_webhook_secret: Annotated[
        SecretStr | None, Field(description="Zendesk webhook signing secret.")
    ] = None
    zendesk_webhook_secret_previous: Annotated[
        SecretStr | None, Field(description="The Zendesk secret before rotation, still accepted.")
    ] = None
    gorgias_webhook_secret: Annotated[
        SecretStr | None,
        Field(description="Shared secret Gorgias sends in the X-Evenhand-Secret header."),
    ] = None
    gorgias_webhook_secret_previous: Annotated[
        SecretStr | None, Field(description="The Gorgias secret before rotation, still accepted.")
    ] = None
    webhook_tolerance_seconds: Annotated[
        int, Field(ge=1, description="How old a signed timestamp may be (Stripe, Zendesk).")
    ] = 300
    # Write-back to the helpdesk: the ticket gets its tags and an internal note.
    zendesk_url: Annotated[
        str | None, Field(description="Zendesk account URL, e.g. https://acme.zendesk.com.")
    ] = None
    zendesk_email: Annotated[
        str | None, Field(description="Zendesk agent e-mail the API token belongs to.")
    ] = None
    zendesk_api_token: Annotated[SecretStr | None, Field(description="Zendesk API token.")] = None
    gorgias_url: Annotated[
        str | None, Field(description="Gorgias account URL, e.g. https://acme.gorgias.com.")
    ] = None
    gorgias_email: Annotated[
        str | None, Field(description="Gorgias user e-mail the REST API key belongs to.")
    ] = None
    gorgias_api_key: Annotated[SecretStr | None, Field(description="Gorgias REST API key.")] = None
    # The dispute desk: evidence goes to Stripe's disputes API.
    stripe_api_key: Annotated[
        SecretStr | None,
        Field(description="Stripe secret key (sk_...) the dispute desk sends evidence with."),
    ] = None
    stripe_api_url: Annotated[
        str, Field(description="Stripe's API; a test points it at a local server.")
    ] = "https://api.stripe.com"
    stripe_files_url: Annotated[
        str, Field(description="Stripe's file uploads (evidence files); a test points it here.")
    ] = "https://files.stripe.com"
    # Public replies to reviews, posted through the platforms' reply APIs (else copied).
    trustpilot_access_token: Annotated[
        SecretStr | None,
        Field(description="Trustpilot business user OAuth access token (private reply API)."),
    ] = None
    trustpilot_business_user_id: Annotated[
        str | None, Field(description="The Trustpilot business user a reply is posted as.")
    ] = None
    trustpilot_api_url: Annotated[
        str, Field(description="Trustpilot's API; a test points it at a local server.")
    ] = "https://api.trustpilot.com"
    trustpilot_webhook_secret: Annotated[
        SecretStr | None,
        Field(description="Password of the basic auth in the Trustpilot subscription URL."),
    ] = None
    judgeme_api_token: Annotated[
        SecretStr | None, Field(description="Judge.me private API token (replies, webhooks).")
    ] = None
    judgeme_shop_domain: Annotated[
        str | None, Field(description="The shop's domain at Judge.me (example.myshopify.com).")
    ] = None
    judgeme_api_url: Annotated[
        str, Field(description="Judge.me's API; a test points it at a local server.")
    ] = "https://judge.me"
    judgeme_webhook_secret: Annotated[
        SecretStr | None,
        Field(description="The JUDGEME-HMAC-SHA256 key (OAuth app secret or private token)."),
    ] = None
    google_business_access_token: Annotated[
        SecretStr | None,
        Field(description="Google Business Profile OAuth access token (business.manage)."),
    ] = None
    google_business_location: Annotated[
        str | None, Field(description="The location replies go to: accounts/N/locations/M.")
    ] = None
    google_business_api_url: Annotated[
        str, Field(description="Google's My Business API; a test points it at a local server.")
    ] = "https://mybusiness.googleapis.com"
    dispute_due_soon_days: Annotated[
        int, Field(ge=0, description="The desk marks evidence due within this many days.")
    ] = 3
    writeback_max_attempts: Annotated[
        int, Field(ge=1, description="Write-back tries before a failure waits for `inbox retry`.")
    ] = 12
    writeback_lease_seconds: Annotated[
        float,
        Field(
            ge=1,
            description="How long a write-back is left to the worker that took it; past it, "
            "that worker is taken for dead and the write-back is tried again (looking for "
            "its note on the ticket first).",
        ),
    ] = 120.0
    worker_batch: Annotated[
        int, Field(ge=1, description="Inbox deliveries the worker takes in one transaction.")
    ] = 16
    worker_max_attempts: Annotated[
        int,
        Field(
            ge=1,
            description="Times a worker may die holding one delivery before it is set aside "
            "(failed, `took the worker down N times`; `inbox retry --set-aside` requeues it).",
        ),
    ] = 3
    worker_text_limit: Annotated[
        int,
        Field(
            ge=1000,
            description="Characters of a webhook ticket's subject and text the worker reads "
            "(the rest is stored, not read): the time one delivery takes is bounded.",
        ),
    ] = 32_768
    worker_silent_seconds: Annotated[
        int,
        Field(
            ge=5,
            description="A worker not heard from for this long is reported not alive "
            "(/healthz, `inbox status`); a live one is heard from every few seconds.",
        ),
    ] = 60
    inbox_stale_seconds: Annotated[
        int,
        Field(
            ge=1,
            description="/healthz answers 503 once the oldest pending delivery has waited "
            "longer than this.",
        ),
    ] = 300
    shopify_replay_window_hours: Annotated[
        int,
        Field(
            ge=0,
            description="A Shopify body delivered again under a new event id (the header is "
            "not signed) within this many hours of the first is counted as a repeat, not "
            "stored; 0 turns this off.",
        ),
    ] = 48
    webhook_max_bytes: Annotated[
        int,
        Field(ge=1024, description="The largest webhook body taken; a larger one is 413."),
    ] = 5 * 1024 * 1024
    upload_max_bytes: Annotated[
        int,
        Field(ge=1024, description="The largest file taken by `POST /api/imports/{kind}` (413)."),
    ] = 256 * 1024 * 1024
    request_max_bytes: Annotated[
        int,
        Field(
            ge=1024,
            description="The largest body of any other request (the API, sign-in, the admin "
            "pages' forms and guide uploads); a larger one is 413.",
        ),
    ] = 2 * 1024 * 1024

    shopify_access_token: Annotated[
        SecretStr | None,
        Field(description="Shopify Admin API access token (X-Shopify-Access-Token)."),
    ] = None
    shopify_api_version: Annotated[
        str, Field(description="The Shopify Admin API version the mutations are sent to.")
    ] = "2026-01"
    shopify_admin_url: Annotated[
        str | None,
        Field(description="The Admin API's base URL; unset, https://{shopify_shop_domain}."),
    ] = None
    recharge_api_token: Annotated[
        SecretStr | None,
        Field(description="Recharge API token; set, subscriptions are cancelled in Recharge."),
    ] = None
    recharge_url: Annotated[str, Field(description="Recharge's API base URL.")] = (
        "https://api.rechargeapps.com"
    )
    subscription_pause_days: Annotated[
        int,
        Field(
            ge=1,
            le=365,
            description="An approved pause moves Recharge's next charge this many days past "
            "the approval (Shopify's contracts pause until resumed).",
        ),
    ] = 30
    paid_reship_invoice: Annotated[
        bool,
        Field(
            description="An approved paid reship (offer_paid_reship) sends the customer "
            "Shopify's invoice for the shipping: the order's lines at no charge, the shipping "
            "at `paid_reship_shipping_price`, paid at checkout (its reply should say so).",
        ),
    ] = False
    paid_reship_shipping_price: Annotated[
        Decimal,
        Field(
            ge=0, description="What a paid reship's shipping costs the customer (shop currency)."
        ),
    ] = Decimal("59")
    refund_notify_customer: Annotated[
        bool, Field(description="Shopify e-mails the customer about a refund or cancellation.")
    ] = True
    refund_restock: Annotated[
        bool, Field(description="A refund or cancellation puts the order's items back in stock.")
    ] = False
    zendesk_status_after_reply: Annotated[
        str,
        Field(description='A Zendesk ticket\'s status once the reply is sent ("" leaves it).'),
    ] = "solved"
    gorgias_status_after_reply: Annotated[
        str,
        Field(description='A Gorgias ticket\'s status once the reply is sent ("" leaves it).'),
    ] = "closed"
    auto_approve_remedies: Annotated[
        str,
        Field(
            description="Remedies carried out without a person, comma-separated "
            "(e.g. send_tracking_status,human_review); a manager's choice."
        ),
    ] = ""
    auto_approve_daily_cap: Annotated[
        Decimal,
        Field(ge=0, description="Money auto-approvals may give away per UTC day (shop currency)."),
    ] = Decimal("0")
    agent_refund_limit: Annotated[
        Decimal | None,
        Field(
            ge=0,
            description="The most an agent's approval gives away; above it a manager approves "
            "(unset: no limit).",
        ),
    ] = None
    execution_max_attempts: Annotated[
        int, Field(ge=1, description="Tries of a remedy's step before it is kept as failed.")
    ] = 8
    execution_lease_seconds: Annotated[
        float,
        Field(
            ge=1,
            description="How long a remedy's step is left to the worker that took it; past "
            "it, that worker is taken for dead and the step is tried again (with its key).",
        ),
    ] = 120.0

    session_secret: Annotated[
        SecretStr | None,
        Field(
            description="Key that signs the web UI's session cookies; unset, a new one per start."
        ),
    ] = None
    session_idle_minutes: Annotated[
        int,
        Field(ge=1, description="A web UI session ends after this many minutes without a request."),
    ] = 120
    session_max_hours: Annotated[
        int,
        Field(
            ge=1, description="A web UI session ends this many hours after sign-in, however used."
        ),
    ] = 12
    session_cookie_secure: Annotated[
        bool | None,
        Field(
            description="Send the session cookie with `Secure` (browsers return it only over "
            "https). Unset: when the request came over https, directly or through a proxy "
            "that sets X-Forwarded-Proto (trusted from 127.0.0.1, or the addresses in the "
            "FORWARDED_ALLOW_IPS environment variable); true: always (set it when the "
            "service is served over https); false: never."
        ),
    ] = None
    sign_in_failures_per_account: Annotated[
        int,
        Field(
            ge=1,
            description="Wrong passwords for one e-mail, within `sign_in_window_minutes`, "
            "before its sign-ins wait (see `sign_in_first_wait_seconds`).",
        ),
    ] = 5
    sign_in_failures_per_address: Annotated[
        int,
        Field(
            ge=1,
            description="Wrong passwords from one client address, for any e-mail, within "
            "`sign_in_window_minutes`, before sign-ins from it wait.",
        ),
    ] = 20
    sign_in_first_wait_seconds: Annotated[
        int,
        Field(
            ge=1,
            description="The first wait, after the last wrong password, once the allowance is "
            "used; doubled for each wrong password beyond it.",
        ),
    ] = 30
    sign_in_longest_wait_seconds: Annotated[
        int, Field(ge=1, description="The longest a sign-in waits after wrong passwords.")
    ] = 900
    sign_in_window_minutes: Annotated[
        int,
        Field(ge=1, description="How long a wrong password counts against an e-mail and address."),
    ] = 60
    api_docs: Annotated[
        bool,
        Field(
            description="Serve the interactive API documentation (/docs, /redoc) to signed-in "
            "users; its scripts come from a CDN (cdn.jsdelivr.net). /openapi.json is always served."
        ),
    ] = False

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return None if value is None else normalise_currency(value)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=settings_file_path())
        return (init_settings, env_settings, toml)


def reader_folder(settings: Settings) -> Path:
    """The folder of the reader's built models (see `reader_folder` above)."""
    if settings.reader_folder is not None:
        return settings.reader_folder
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "evenhand"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and file, with explicit overrides (e.g. --db) on top."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)
