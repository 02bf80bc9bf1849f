"""The remedies a guide can give (a module of its own: what shows a decision needs the
names without the guide's engine and its reply templates)."""

from __future__ import annotations

from enum import StrEnum


class Remedy(StrEnum):
    ROUTE_TO_DISPUTE = "route_to_dispute"
    REPLACE_OR_REFUND = "replace_or_refund"
    RESHIP_FREE = "reship_free"
    OFFER_PAID_RESHIP = "offer_paid_reship"
    CARRIER_INVESTIGATION = "carrier_investigation"
    REFUND_RENEWAL = "refund_renewal"
    EXPLAIN_AND_CANCEL = "explain_and_cancel"
    STANDARD_RETURN = "standard_return"
    SEND_TRACKING_STATUS = "send_tracking_status"
    CANCEL_SUBSCRIPTION = "cancel_subscription"
    PAUSE_SUBSCRIPTION = "pause_subscription"
    # The rest of an inbox: nothing given away beyond what the customer is owed.
    CANCEL_UNSHIPPED_ORDER = "cancel_unshipped_order"
    CHANGE_UNSHIPPED_ORDER = "change_unshipped_order"
    COMPLAINT_CLAIM = "complaint_claim"
    REFUND_STATUS_REPLY = "refund_status_reply"
    ANSWER_QUESTION = "answer_question"
    HUMAN_REVIEW = "human_review"
