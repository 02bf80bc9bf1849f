"""The JSON API, behind bearer tokens (`evenhand token create NAME`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator

from evenhand.actions.customer_value import customer_report
from evenhand.actions.import_file import import_file
from evenhand.actions.intent_corrections import Correction, IntentCorrectionOut, correct_intent
from evenhand.actions.schemas import (
    CustomerOut,
    DecisionOut,
    ImportOut,
    customer_out,
    decision_out,
    import_out,
)
from evenhand.actions.service import find_decision, token_owner
from evenhand.actions.triage import triage_tickets
from evenhand.errors import AccessError, EvenhandError, InputError
from evenhand.ingest.cells import is_ascii_number
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import TicketProblem, ticket_from_object
from evenhand.store.scratch import scratch_folder
from evenhand.web.schemas import (
    ID_MAX,
    IMPORT_BODY,
    IntentCorrectionBody,
    TicketBody,
    error_responses,
)
from evenhand.web.service import Service, ServiceDep

_bearer = HTTPBearer(auto_error=False, description="An API token from `evenhand token create`.")


def _caller(
    service: ServiceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None:
        raise EvenhandError(AccessError.MISSING_TOKEN, "send Authorization: Bearer <token>")
    return token_owner(service.engine, token=credentials.credentials)


Caller = Annotated[str, Depends(_caller)]
router = APIRouter(prefix="/api", tags=["api"])


def _in_digits(value: object) -> object:
    # lax parsing read "1_0" as decision 10 and "1.0", "+1", " 1" as decision 1
    if isinstance(value, str) and not is_ascii_number(value):
        raise ValueError(f"a decision id is written in digits (0-9), not {value[:40]!r}")
    return value


DecisionId = Annotated[
    int, BeforeValidator(_in_digits), Path(ge=1, le=ID_MAX, description="The decision's id.")
]
EmailPath = Annotated[str, Path(min_length=1, max_length=320, description="An e-mail address.")]


@router.post(
    "/tickets",
    response_model=DecisionOut,
    responses=error_responses(
        400,
        401,
        413,
        422,
        503,
        s422="Not a ticket Evenhand can read: the field and the reason (`bad_value`, "
        "`missing_value`).",
    ),
)
def decide_ticket(
    service: ServiceDep,
    _: Caller,
    ticket: Annotated[
        TicketBody,
        Body(
            description="One ticket: a line of `evenhand triage`'s JSON Lines, or a Zendesk "
            "or Gorgias ticket object (its format is read from its keys)."
        ),
    ],
) -> DecisionOut:
    """Decide one ticket by the guide in force; the decision is stored and returned."""
    record = ticket_from_object(ticket.model_dump(exclude_unset=True))
    if isinstance(record, TicketProblem):
        code = InputError.MISSING_VALUE if record.missing else InputError.BAD_VALUE
        raise EvenhandError(code, record.error)
    report = triage_tickets(
        service.engine,
        records=[record],
        guide=service.current_guide(),
        reader=service.reader(),
        settings=service.settings,
        now=service.now(),
    )
    return decision_out(report.decided[0].stored)


@router.get(
    "/decisions/{decision_id}",
    response_model=DecisionOut,
    responses=error_responses(401, 404, 422, 503, s404="No such decision (`decision_not_found`)."),
)
def get_decision(service: ServiceDep, _: Caller, decision_id: DecisionId) -> DecisionOut:
    """A stored decision: reading, facts, remedy, rule, guide version, tags, reply draft."""
    return find_decision(service.engine, decision_id=decision_id)


@router.post(
    "/decisions/{decision_id}/intent",
    response_model=IntentCorrectionOut,
    status_code=201,
    responses=error_responses(
        400,
        401,
        404,
        413,
        422,
        503,
        s404="No such decision (`decision_not_found`).",
        s422="Not an intent, the intent already read, or a note too long (`bad_value`).",
    ),
)
def correct_decision_intent(
    service: ServiceDep, caller: Caller, decision_id: DecisionId, body: IntentCorrectionBody
) -> IntentCorrectionOut:
    """Correct what a decision's message is about (its intent), with a note: recorded beside
    the decision (which stands as it is), shown in the ticket's history, and joined to the
    shop's labelled history at the next `evenhand reader learn`."""
    correction = Correction(decision_id, body.intent.value, body.note or "", by=f"api:{caller}")
    return correct_intent(service.engine, correction, now=service.now())


@router.get(
    "/customers/{email}",
    response_model=CustomerOut,
    responses=error_responses(
        401, 404, 422, 503, s404="No customer with this e-mail (`customer_not_found`)."
    ),
)
def get_customer(service: ServiceDep, _: Caller, email: EmailPath) -> CustomerOut:
    """A customer's value figures and open disputes, as `evenhand customer EMAIL --json`."""
    return customer_out(customer_report(service.engine, email=email, settings=service.settings))


@router.post(
    "/imports/{kind}",
    response_model=ImportOut,
    responses=error_responses(401, 409, 413, 422, 503),
    openapi_extra=IMPORT_BODY,
)
async def import_upload(
    request: Request,
    service: ServiceDep,
    _: Caller,
    kind: ImportKind,
    skip_invalid: Annotated[bool, Query(description="Import the valid records only.")] = False,
) -> ImportOut:
    """Import the request body as a file of this kind (the same kinds as `evenhand import`),
    in one transaction."""
    body = await request.body()
    return await run_in_threadpool(_import_bytes, service, body, kind, skip_invalid)


def _import_bytes(service: Service, body: bytes, kind: ImportKind, skip_invalid: bool) -> ImportOut:
    suffix = ".csv" if kind.value.endswith(("orders", "customers", "products")) else ".json"
    with scratch_folder(service.settings.db) as folder:  # beside the database, not in /tmp
        path = folder / f"upload{suffix}"
        path.write_bytes(body)
        try:
            report = import_file(
                service.engine,
                kind=kind,
                path=path,
                settings=service.settings,
                now=service.now(),
                skip_invalid=skip_invalid,
            )
        except EvenhandError as error:  # name the upload, not the temporary file
            if error.where is not None:
                error.where = replace(error.where, path=FilePath("upload"))
            raise
    return import_out(report, file="upload")
