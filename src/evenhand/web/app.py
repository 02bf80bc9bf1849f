"""`create_app(settings)`: the FastAPI application `evenhand serve` runs.

Errors are data: an EvenhandError becomes its HTTP status (evenhand.errors.HTTP_STATUSES)
with `{"error": code, "message": ...}`.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from evenhand.actions.guide import active_guide
from evenhand.actions.reader import load_reader, warm_up
from evenhand.actions.worker_pulse import worker_health
from evenhand.errors import AccessError, ErrorCode, EvenhandError, LookupFailure
from evenhand.settings import Settings
from evenhand.store.database import ensure_current, make_engine
from evenhand.understand.model import Reader
from evenhand.web import (
    admin,
    api,
    disputes,
    drafts,
    execution_pages,
    public_reviews,
    reader_pages,
    review_webhooks,
    ui,
    webhooks,
)
from evenhand.web.limits import BodyLimit, body_limit
from evenhand.web.pages import SESSION_KEY, SignInNeededError, templates
from evenhand.web.schemas import ErrorOut, Health, validation_error
from evenhand.web.security import SESSION_COOKIE, SecurityHeaders, docs_router
from evenhand.web.service import Service

INBOX_BUSY_TIMEOUT = 0.001  # seconds; the inbox writer retries itself
MACHINE_PATHS = ("/api/", "/webhooks/", "/healthz", "/openapi.json")
STATIC = Path(__file__).with_name("static")
HEALTH_503: dict[int | str, dict[str, Any]] = {
    503: {
        "model": Health | ErrorOut,
        "description": "Deliveries wait longer than `inbox_stale_seconds` (`Health`, status "
        "`stale`), or the database is not initialised or not reachable (the error body).",
    }
}


def create_app(
    settings: Settings,
    *,
    reader: Reader | None = None,
    warm_reader: bool = True,
) -> FastAPI:
    """The app over the settings' database; the reader is loaded from its built models
    before the app takes requests, unless one is given (not built: refused, naming
    `evenhand reader build`)."""
    engine = make_engine(settings.db)
    build: Callable[[], Reader] = (lambda: reader) if reader else (lambda: load_reader(settings))
    service = Service(
        settings=settings,
        engine=engine,
        guide=active_guide(engine, settings),
        build_reader=build,
        # The worker's commits copy the log back; a webhook's answer does not wait for it.
        inbox_engine=make_engine(
            settings.db, sqlite_busy_timeout=INBOX_BUSY_TIMEOUT, sqlite_checkpoints=False
        ),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ensure_current(engine)
        if warm_reader:  # before taking requests: the first answers would wait for it
            await run_in_threadpool(warm_up, service.reader(), market=settings.market)
        yield
        engine.dispose()
        service.inbox_engine.dispose()

    app = FastAPI(
        title="Evenhand",
        summary="Even-handed, policy-driven triage for e-commerce customer support.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # off unless `api_docs`: then for signed-in users (web.security)
        redoc_url=None,
    )
    app.state.service = service
    app.add_exception_handler(EvenhandError, _error_response)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.include_router(api.router)
    app.include_router(webhooks.router)
    app.include_router(review_webhooks.router)
    app.include_router(ui.router)
    app.include_router(drafts.router)
    app.include_router(execution_pages.router)
    app.include_router(admin.router)
    app.include_router(disputes.router)
    app.include_router(public_reviews.router)
    app.include_router(reader_pages.router)
    if settings.api_docs:
        app.include_router(docs_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(SignInNeededError, _to_sign_in)
    secret = settings.session_secret
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
        session_cookie=SESSION_COOKIE,
        same_site="strict",
        https_only=False,  # `Secure` is added per request by SecurityHeaders
        max_age=settings.session_max_hours * 3600,
    )
    # Bodies bounded before anything reads them; the security headers on every answer.
    app.add_middleware(BodyLimit, limit_for=body_limit(settings))
    app.add_middleware(SecurityHeaders, secure_cookie=settings.session_cookie_secure)

    @app.get("/healthz", tags=["service"], response_model=Health, responses=HEALTH_503)
    def healthz() -> Response | Health:
        """Alive, the database answers at the schema's current revision, and no delivery
        has waited longer than `inbox_stale_seconds` (else 503 `stale`); with the worker's
        liveness and the age of the oldest pending delivery."""
        ensure_current(engine)
        health = worker_health(
            engine, now=service.now(), silent_seconds=settings.worker_silent_seconds
        )
        stale = health.stale(limit_seconds=settings.inbox_stale_seconds)
        answer = Health(
            status="stale" if stale else "ok",
            guide_version=service.current_guide().version,
            worker_alive=health.worker_alive,
            worker_seen_seconds=health.worker_seen_seconds,
            oldest_pending_seconds=health.oldest_pending_seconds,
        )
        if stale:
            return JSONResponse(status_code=503, content=answer.model_dump(mode="json"))
        return answer

    return app


_HEADINGS = {403: "Not allowed", 404: "Not found", 405: "Not here", 429: "Too many tries"}


def _error_page(request: Request, status: int, message: str) -> Response:
    """A person's page that could not be shown: the reason, and the way back."""
    heading = _HEADINGS.get(status, "Not done")
    signed_in = bool("session" in request.scope and request.session.get(SESSION_KEY))
    context = {
        "user": None,
        "csrf": "",
        "heading": heading,
        "message": message,
        "signed_in": signed_in,
    }
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


async def _error_response(request: Request, error: EvenhandError) -> Response:
    if not request.url.path.startswith(MACHINE_PATHS):  # a person's page: a page back
        return _error_page(request, error.http_status, str(error))
    return _json_error(error)


def _json_error(error: EvenhandError) -> JSONResponse:
    asks_token = error.code in {AccessError.MISSING_TOKEN, AccessError.BAD_TOKEN}
    headers = {"WWW-Authenticate": "Bearer"} if asks_token else None
    return JSONResponse(
        status_code=error.http_status,
        content={"error": error.code.value, "message": str(error)},
        headers=headers,
    )


async def _invalid_request(request: Request, error: RequestValidationError) -> Response:
    """A request FastAPI could not validate: on the API, the error body with each field and
    its reason (400 for a body that is not JSON, else 422); on a page, a page saying which
    field and why."""
    code, message = validation_error(list(error.errors()))
    if not request.url.path.startswith(MACHINE_PATHS):
        return _error_page(request, EvenhandError(code, message).http_status, message)
    return _json_error(EvenhandError(code, message))


async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    """Starlette's own refusals (no such address, another method, an unreadable body) in
    the error body on the machine paths."""
    code = _HTTP_CODES.get(error.status_code)
    if not request.url.path.startswith(MACHINE_PATHS) and error.status_code in _HEADINGS:
        return _error_page(request, error.status_code, str(error.detail))
    if code is None or not request.url.path.startswith(MACHINE_PATHS):
        return await http_exception_handler(request, error)
    return _json_error(EvenhandError(code, str(error.detail)))


_HTTP_CODES: dict[int, ErrorCode] = {
    400: AccessError.MALFORMED_PAYLOAD,
    404: LookupFailure.NO_SUCH_PATH,
    405: LookupFailure.NO_SUCH_METHOD,
}


async def _to_sign_in(_: Request, __: Exception) -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)
