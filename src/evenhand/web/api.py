"""The JSON API, behind bearer tokens (`evenhand token create NAME`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from evenhand.actions.customer_value import customer_report
from evenhand.actions.import_file import import_file
from evenhand.actions.service import decision_json, token_owner
from evenhand.actions.triage import outcome_json, triage_tickets
from evenhand.errors import AccessError, EvenhandError, InputError
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import TicketProblem, ticket_from_object
from evenhand.store.scratch import scratch_folder
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


@router.post("/tickets")
def decide_ticket(
    service: ServiceDep,
    _: Caller,
    ticket: Annotated[
        dict[str, Any],
        Body(
            description='The fields of `evenhand triage`: {"id", "created_at", "channel", '
            '"customer_email", "subject"?, "body", "order_name"?}, or a Zendesk or '
            "Gorgias ticket object."
        ),
    ],
) -> dict[str, Any]:
    """Decide one ticket by the guide in force; the decision is stored and returned."""
    record = ticket_from_object(ticket)
    if isinstance(record, TicketProblem):
        raise EvenhandError(InputError.BAD_VALUE, record.error)
    report = triage_tickets(
        service.engine,
        records=[record],
        guide=service.current_guide(),
        reader=service.reader(),
        settings=service.settings,
        now=service.now(),
    )
    return outcome_json(report.outcomes[0])


@router.get("/decisions/{decision_id}")
def get_decision(service: ServiceDep, _: Caller, decision_id: int) -> dict[str, Any]:
    """A stored decision: reading, facts, remedy, rule, guide version, tags, reply draft."""
    return decision_json(service.engine, decision_id=decision_id)


@router.get("/customers/{email}")
def get_customer(service: ServiceDep, _: Caller, email: str) -> dict[str, Any]:
    """A customer's value figures and open disputes, as `evenhand customer EMAIL --json`."""
    return customer_report(service.engine, email=email, settings=service.settings).as_json()


@router.post("/imports/{kind}")
async def import_upload(
    request: Request,
    service: ServiceDep,
    _: Caller,
    kind: ImportKind,
    skip_invalid: Annotated[bool, Query(description="Import the valid records only.")] = False,
) -> dict[str, Any]:
    """Import the request body as a file of this kind (the same kinds as `evenhand import`),
    in one transaction."""
    body = await request.body()
    return await run_in_threadpool(_import_bytes, service, body, kind, skip_invalid)


def _import_bytes(
    service: Service, body: bytes, kind: ImportKind, skip_invalid: bool
) -> dict[str, Any]:
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
                error.where = replace(error.where, path=Path("upload"))
            raise
    return report.summary() | {"file": "upload", "rejections": report.rejections_json()}
