"""What agents read instead of the codes: a human label per intent and remedy.

Pages show these through the `intent_label` and `remedy_label` template filters; the codes
stay what the guide, the API and the filters' URLs speak."""

from __future__ import annotations

from evenhand.domain.execution import Choice, StepKind
from evenhand.domain.intents import Intent
from evenhand.domain.remedies import Remedy

INTENT_LABELS: dict[str, str] = {
    Intent.WRONG_ADDRESS: "Wrong address",
    Intent.DELIVERED_NOT_RECEIVED: "Delivered, not received",
    Intent.SUBSCRIPTION_UNEXPECTED_CHARGE: "Unexpected renewal",
    Intent.DAMAGED_ITEM: "Damaged item",
    Intent.WRONG_ITEM: "Wrong item",
    Intent.MISSING_ITEM: "Missing item",
    Intent.WHERE_IS_MY_ORDER: "Where is my order",
    Intent.RETURN_REQUEST: "Return",
    Intent.CANCEL_SUBSCRIPTION: "Cancel subscription",
    Intent.CANCEL_ORDER: "Cancel order",
    Intent.CHANGE_ORDER: "Change order",
    Intent.FAULTY_AFTER_USE: "Fault after use",
    Intent.REFUND_STATUS: "Where is my refund",
    Intent.PRODUCT_QUESTION: "Product question",
    Intent.PAYMENT_PROBLEM: "Payment problem",
    Intent.INVOICE_RECEIPT: "Invoice or receipt",
    Intent.DISCOUNT_PRICE: "Discount or price",
    Intent.ACCOUNT_LOGIN: "Account and log-in",
    Intent.SHIPPING_QUESTION: "Shipping question",
    Intent.SUBSCRIPTION_QUESTION: "Subscription question",
    Intent.FEEDBACK: "Feedback",
    Intent.OTHER: "Other",
}

REMEDY_LABELS: dict[str, str] = {
    Remedy.ROUTE_TO_DISPUTE: "To the dispute process",
    Remedy.REPLACE_OR_REFUND: "Replace or refund",
    Remedy.RESHIP_FREE: "New parcel on us",
    Remedy.OFFER_PAID_RESHIP: "New parcel at their cost",
    Remedy.CARRIER_INVESTIGATION: "Carrier investigation",
    Remedy.REFUND_RENEWAL: "Refund the renewal",
    Remedy.EXPLAIN_AND_CANCEL: "Explain and cancel renewals",
    Remedy.STANDARD_RETURN: "Standard return",
    Remedy.SEND_TRACKING_STATUS: "Send tracking status",
    Remedy.CANCEL_SUBSCRIPTION: "Cancel subscription",
    Remedy.PAUSE_SUBSCRIPTION: "Pause subscription",
    Remedy.CANCEL_UNSHIPPED_ORDER: "Cancel the unshipped order",
    Remedy.CHANGE_UNSHIPPED_ORDER: "Change the unshipped order",
    Remedy.COMPLAINT_CLAIM: "Complaint (reklamation)",
    Remedy.REFUND_STATUS_REPLY: "Refund status",
    Remedy.ANSWER_QUESTION: "Answer the question",
    Remedy.HUMAN_REVIEW: "A person decides",
}


def intent_label(code: str) -> str:
    """The label of an intent; a code it does not know (a newer reader's) as it is."""
    return INTENT_LABELS.get(code, code.replace("_", " ").capitalize())


def remedy_label(code: str) -> str:
    """The label of a remedy; a code it does not know (a newer guide's) as it is."""
    return REMEDY_LABELS.get(code, code.replace("_", " ").capitalize())


STEP_LABELS: dict[str, str] = {
    StepKind.REFUND: "Refund in Shopify",
    StepKind.CANCEL_ORDER: "Cancel the order in Shopify (refunded)",
    StepKind.REPLACEMENT: "Replacement order in Shopify, at no charge",
    StepKind.CANCEL_SUBSCRIPTION: "Cancel the subscription",
    StepKind.PAUSE_SUBSCRIPTION: "Pause the subscription",
    StepKind.SHIPPING_INVOICE: "Invoice for the shipping of a new parcel (Shopify)",
    StepKind.SEND_REPLY: "Send the reply on the ticket",
    StepKind.SET_STATUS: "Set the ticket's status",
    StepKind.AWAIT_CUSTOMER: "Set the ticket to wait for the customer's answer",
    StepKind.CHANGE_ORDER: "Edit the order in Shopify (by hand)",
}

# What an approved replace_or_refund carries out, the default first.
CHOICE_LABELS: dict[str, str] = {
    Choice.ASK: "Ask the customer",
    Choice.REPLACEMENT: "Send a replacement",
    Choice.REFUND: "Refund",
}


def choice_label(code: str) -> str:
    return CHOICE_LABELS.get(code, code)


def step_label(code: str) -> str:
    return STEP_LABELS.get(code, code)
