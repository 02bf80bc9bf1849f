"""The reviews page: customers' public reviews with their figures, and each review's calm
public reply to edit and approve (a reply that offers anything for the review is refused)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from evenhand.actions.public_reviews import approve_reply, review_board, review_reply
from evenhand.actions.review_posting import post_of, post_reply, reply_poster
from evenhand.errors import EvenhandError, InputError
from evenhand.web.pages import CsrfField, SignedIn, check_csrf, render
from evenhand.web.service import ServiceDep

router = APIRouter(include_in_schema=False)


@router.get("/reviews")
def reviews_page(request: Request, service: ServiceDep, user: SignedIn) -> HTMLResponse:
    return render(request, "reviews.html", user=user, board=review_board(service.engine))


@router.get("/reviews/{review_id}")
def review_page(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    review_id: int,
    *,
    error: str = "",
    text: str | None = None,
) -> HTMLResponse:
    guide = service.current_guide()
    reply = review_reply(
        service.engine,
        review_id=review_id,
        shop=guide.settings.shop_name,
        book=guide.review_replies,
    )
    return render(
        request,
        "review.html",
        422 if error else 200,
        user=user,
        r=reply.review,
        language=reply.language,
        reply=text if text is not None else reply.draft,
        tickets=reply.tickets,
        post=post_of(service.engine, review_id),
        can_post=_can_post(service, str(reply.review["platform"])),
        error=error,
    )


@router.post("/reviews/{review_id}/reply")
def reply_to_review(
    request: Request,
    service: ServiceDep,
    user: SignedIn,
    review_id: int,
    *,
    csrf: CsrfField,
    reply: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        approve_reply(
            service.engine, review_id=review_id, text=reply, by=user.email, now=service.now()
        )
    except EvenhandError as error:
        if not isinstance(error.code, InputError):
            raise
        return review_page(request, service, user, review_id, error=error.message, text=reply)
    return RedirectResponse(f"/reviews/{review_id}", status_code=303)


def _can_post(service: ServiceDep, platform: str) -> bool:
    poster = reply_poster(service.settings, platform)
    if poster is None:
        return False
    poster.close()
    return True


@router.post("/reviews/{review_id}/post")
def post_review_reply(
    request: Request, service: ServiceDep, user: SignedIn, review_id: int, *, csrf: CsrfField
) -> Response:
    """Post the approved reply to the platform (once; a retry of a posted one does
    nothing), or record that it is to be copied where there is no reply API."""
    check_csrf(request, csrf)
    try:
        post_reply(
            service.engine,
            review_id=review_id,
            settings=service.settings,
            by=user.email,
            now=service.now(),
        )
    except EvenhandError as error:
        if not isinstance(error.code, InputError):
            raise
        return review_page(request, service, user, review_id, error=error.message)
    return RedirectResponse(f"/reviews/{review_id}", status_code=303)
