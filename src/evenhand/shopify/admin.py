"""The remedies Shopify carries out, as its documented Admin GraphQL mutations.

- a refund: `refundCreate` with the `@idempotent(key:)` directive (Shopify returns the
  first refund for a key it has seen), the order's successful sale or capture as parent;
- an unfulfilled order cancelled with its refund: `orderCancel` (the order is read first:
  one already cancelled is done);
- a free replacement: `draftOrderCreate` (the order's lines, 100 % off, tagged with the
  step's key) and `draftOrderComplete`; a retry finds the draft by its tag;
- a subscription cancelled: the customer's contracts, `subscriptionContractCancel` for
  each one still active or paused;
- a subscription paused: `subscriptionContractPause` for each contract still active (one
  paused already is left as it is: a retry pauses nothing twice);
- a paid reship invoiced: `draftOrderCreate` (the order's lines at 100 % off, a shipping
  line at the customer's cost, tagged with the step's key) and `draftOrderInvoiceSend`; a
  retry finds the draft by its tag, and one whose invoice went (`INVOICE_SENT`) or that is
  paid (`COMPLETED`) is done.
userErrors in a 200 answer are refusals: a ShopifyError with Shopify's reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from evenhand.shopify.graphql import GraphqlApi, ShopifyError, user_errors

ORDER_QUERY = """query Order($id: ID!) {
  order(id: $id) {
    id cancelledAt email customer { id }
    transactions(first: 20) { id kind status gateway }
    lineItems(first: 100) { nodes { id refundableQuantity } }
  }
}"""

REFUND_MUTATION = """mutation Refund($input: RefundInput!) {
  refundCreate(input: $input) @idempotent(key: %s) {
    refund { id totalRefundedSet { shopMoney { amount currencyCode } } }
    userErrors { field message }
  }
}"""

CANCEL_MUTATION = """mutation Cancel($orderId: ID!, $restock: Boolean!, $notify: Boolean,
    $staffNote: String) {
  orderCancel(orderId: $orderId, reason: CUSTOMER, restock: $restock,
      refundMethod: {originalPaymentMethodsRefund: true},
      notifyCustomer: $notify, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}"""

DRAFTS_QUERY = """query Drafts($query: String!) {
  draftOrders(first: 1, query: $query) { nodes { id status order { id name } } }
}"""

DRAFT_CREATE_MUTATION = """mutation Draft($input: DraftOrderInput!) {
  draftOrderCreate(input: $input) {
    draftOrder { id status }
    userErrors { field message }
  }
}"""

DRAFT_COMPLETE_MUTATION = """mutation Complete($id: ID!) {
  draftOrderComplete(id: $id) {
    draftOrder { id status order { id name } }
    userErrors { field message }
  }
}"""

CONTRACTS_QUERY = """query Contracts($id: ID!) {
  customer(id: $id) { subscriptionContracts(first: 20) { nodes { id status } } }
}"""

CONTRACT_CANCEL_MUTATION = """mutation CancelContract($id: ID!) {
  subscriptionContractCancel(subscriptionContractId: $id) {
    contract { id status }
    userErrors { field message }
  }
}"""

CONTRACT_PAUSE_MUTATION = """mutation PauseContract($id: ID!) {
  subscriptionContractPause(subscriptionContractId: $id) {
    contract { id status }
    userErrors { field message }
  }
}"""

INVOICE_SEND_MUTATION = """mutation Invoice($id: ID!) {
  draftOrderInvoiceSend(id: $id) {
    draftOrder { id status invoiceUrl }
    userErrors { field message }
  }
}"""

_PARENT_KINDS = {"SALE", "CAPTURE"}
_LIVE_CONTRACTS = {"ACTIVE", "PAUSED", "FAILED"}


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


@dataclass(frozen=True, slots=True)
class ReplacementLine:
    title: str
    sku: str | None
    quantity: int
    unit_price: str  # decimal string in the shop's currency


@dataclass(frozen=True, slots=True)
class RefundChoices:
    notify: bool
    restock: bool


class ShopifyAdmin:
    def __init__(
        self,
        *,
        endpoint: str,
        access_token: str,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        extra = {"sleep": sleep} if sleep else {}
        self.api = GraphqlApi(endpoint=endpoint, access_token=access_token, **extra)

    def close(self) -> None:
        self.api.close()

    def order(self, order_id: int) -> dict[str, Any]:
        found = self.api.call("order", ORDER_QUERY, {"id": gid("Order", order_id)}).get("order")
        if not isinstance(found, dict):
            raise ShopifyError(f"shopify order {order_id}: not found", permanent=True)
        return found

    def refund(
        self, order_id: int, *, amount: str, key: str, choices: RefundChoices, note: str
    ) -> dict[str, Any]:
        order = self.order(order_id)
        parent = _parent_transaction(order)
        refund_input: dict[str, Any] = {
            "orderId": order["id"],
            "notify": choices.notify,
            "note": note,
            "transactions": [
                {
                    "orderId": order["id"],
                    "parentId": parent["id"],
                    "gateway": parent["gateway"],
                    "kind": "REFUND",
                    "amount": amount,
                }
            ],
        }
        if choices.restock:
            refund_input["refundLineItems"] = _restocked_lines(order)
        data = self.api.call(
            "refundCreate", REFUND_MUTATION % _graphql_string(key), {"input": refund_input}
        )
        payload = data.get("refundCreate")
        _refuse_on_user_errors("refundCreate", payload)
        return {"refund": ((payload or {}).get("refund") or {}).get("id")}

    def cancel_order(self, order_id: int, *, key: str, choices: RefundChoices) -> dict[str, Any]:
        order = self.order(order_id)
        if order.get("cancelledAt"):  # an earlier try got through: nothing more to do
            return {"cancelled_at": order["cancelledAt"], "already": True}
        variables = {
            "orderId": order["id"],
            "restock": choices.restock,
            "notify": choices.notify,
            "staffNote": f"Cancelled by Evenhand ({key})",
        }
        payload = self.api.call("orderCancel", CANCEL_MUTATION, variables).get("orderCancel")
        _refuse_on_user_errors("orderCancel", payload, "orderCancelUserErrors")
        return {"job": ((payload or {}).get("job") or {}).get("id")}

    def replacement(
        self, *, email: str | None, lines: Sequence[ReplacementLine], key: str, note: str
    ) -> dict[str, Any]:
        draft = self._draft_tagged(key)
        if draft is None:
            draft = self._create_draft(email=email, lines=lines, key=key, note=note)
        if draft.get("status") == "COMPLETED":
            return {"draft_order": draft["id"], "order": (draft.get("order") or {}).get("id")}
        data = self.api.call("draftOrderComplete", DRAFT_COMPLETE_MUTATION, {"id": draft["id"]})
        payload = data.get("draftOrderComplete")
        _refuse_on_user_errors("draftOrderComplete", payload)
        done = (payload or {}).get("draftOrder") or {}
        return {"draft_order": draft["id"], "order": (done.get("order") or {}).get("id")}

    def _draft_tagged(self, key: str) -> dict[str, Any] | None:
        data = self.api.call("draftOrders", DRAFTS_QUERY, {"query": f"tag:{key}"})
        nodes = (data.get("draftOrders") or {}).get("nodes") or []
        return nodes[0] if nodes else None

    def shipping_invoice(
        self,
        *,
        email: str | None,
        lines: Sequence[ReplacementLine],
        key: str,
        shipping_price: str,
        note: str,
    ) -> dict[str, Any]:
        """A paid reship: the lines again at no charge, the shipping at the customer's
        cost, as a draft order whose invoice (a checkout link) Shopify e-mails them."""
        if not email:
            raise ShopifyError(
                "shopify draftOrderInvoiceSend: no e-mail to send to", permanent=True
            )
        draft = self._draft_tagged(key)
        if draft is None:
            draft_input = _draft_input(lines, key=key, note=note, email=email, line_discount=True)
            draft_input["shippingLine"] = {"title": "Shipping", "price": shipping_price}
            draft = self._create(draft_input)
        if draft.get("status") in {"INVOICE_SENT", "COMPLETED"}:
            return {"draft_order": draft["id"], "invoice": "already sent"}
        data = self.api.call("draftOrderInvoiceSend", INVOICE_SEND_MUTATION, {"id": draft["id"]})
        payload = data.get("draftOrderInvoiceSend")
        _refuse_on_user_errors("draftOrderInvoiceSend", payload)
        return {"draft_order": draft["id"], "invoice": "sent"}

    def _create_draft(
        self, *, email: str | None, lines: Sequence[ReplacementLine], key: str, note: str
    ) -> dict[str, Any]:
        return self._create(_draft_input(lines, key=key, note=note, email=email))

    def _create(self, draft_input: dict[str, Any]) -> dict[str, Any]:
        data = self.api.call("draftOrderCreate", DRAFT_CREATE_MUTATION, {"input": draft_input})
        payload = data.get("draftOrderCreate")
        _refuse_on_user_errors("draftOrderCreate", payload)
        draft = (payload or {}).get("draftOrder")
        if not isinstance(draft, dict):
            raise ShopifyError("shopify draftOrderCreate: no draft order", permanent=True)
        return draft

    def customer_of_order(self, order_id: int) -> str:
        customer = self.order(order_id).get("customer") or {}
        if not customer.get("id"):
            raise ShopifyError(f"shopify order {order_id}: no customer", permanent=True)
        return str(customer["id"])

    def cancel_subscriptions(self, customer: str) -> dict[str, Any]:
        """Cancel the customer's (a GID) contracts still running; none running is done."""
        data = self.api.call("customer", CONTRACTS_QUERY, {"id": customer})
        found = data.get("customer") or {}
        nodes = (found.get("subscriptionContracts") or {}).get("nodes") or []
        cancelled = []
        for contract in nodes:
            if contract.get("status") not in _LIVE_CONTRACTS:
                continue
            answer = self.api.call(
                "subscriptionContractCancel", CONTRACT_CANCEL_MUTATION, {"id": contract["id"]}
            )
            _refuse_on_user_errors(
                "subscriptionContractCancel", answer.get("subscriptionContractCancel")
            )
            cancelled.append(contract["id"])
        return {"cancelled": cancelled}

    def pause_subscriptions(self, customer: str) -> dict[str, Any]:
        """Pause the customer's (a GID) active contracts; none active is done."""
        data = self.api.call("customer", CONTRACTS_QUERY, {"id": customer})
        found = data.get("customer") or {}
        nodes = (found.get("subscriptionContracts") or {}).get("nodes") or []
        paused = []
        for contract in nodes:
            if contract.get("status") != "ACTIVE":
                continue
            answer = self.api.call(
                "subscriptionContractPause", CONTRACT_PAUSE_MUTATION, {"id": contract["id"]}
            )
            _refuse_on_user_errors(
                "subscriptionContractPause", answer.get("subscriptionContractPause")
            )
            paused.append(contract["id"])
        return {"paused": paused}


_FREE = {"value": 100.0, "valueType": "PERCENTAGE", "title": "Replacement"}


def _draft_input(
    lines: Sequence[ReplacementLine],
    *,
    key: str,
    note: str,
    email: str | None,
    line_discount: bool = False,
) -> dict[str, Any]:
    """A draft order of the lines at no charge, tagged with the step's key: the discount
    on each line (so a shipping line stays payable) or on the whole draft."""
    items: list[dict[str, Any]] = [
        {
            "title": line.title,
            "sku": line.sku,
            "quantity": line.quantity,
            "originalUnitPrice": line.unit_price,
        }
        for line in lines
    ]
    draft_input: dict[str, Any] = {"note": note, "tags": ["evenhand", key], "lineItems": items}
    if line_discount:
        for item in items:
            item["appliedDiscount"] = {**_FREE, "description": "Sent again at no charge"}
    else:
        draft_input["appliedDiscount"] = {**_FREE, "description": "A replacement at no charge"}
    if email:
        draft_input["email"] = email
    return draft_input


def _parent_transaction(order: dict[str, Any]) -> dict[str, Any]:
    for transaction in order.get("transactions") or []:
        if transaction.get("kind") in _PARENT_KINDS and transaction.get("status") == "SUCCESS":
            return dict(transaction)
    raise ShopifyError(f"shopify order {order.get('id')}: no paid transaction", permanent=True)


def _restocked_lines(order: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = (order.get("lineItems") or {}).get("nodes") or []
    return [
        {"lineItemId": node["id"], "quantity": node["refundableQuantity"], "restockType": "RETURN"}
        for node in nodes
        if node.get("refundableQuantity")
    ]


def _refuse_on_user_errors(name: str, payload: Any, field: str = "userErrors") -> None:
    reason = user_errors(payload if isinstance(payload, dict) else None, field)
    if reason:
        raise ShopifyError(f"shopify {name}: {reason}", permanent=True)


def _graphql_string(text: str) -> str:
    """A GraphQL string literal (the key is ours: letters, digits and hyphens)."""
    if not all(char.isalnum() or char == "-" for char in text):
        raise ValueError(f"idempotency key {text!r}: letters, digits and hyphens only")
    return f'"{text}"'
