"""The evidence pack in Stripe's evidence fields: text where Stripe takes text, and files
where it takes a file (uploaded first, `purpose=dispute_evidence`, as PDF):

- `customer_communication`: every ticket and reply exchanged, in order (a file);
- `shipping_documentation`: the carrier, the tracking number and the shipping date (a file);
- `uncategorized_file`: the whole pack as the shop keeps it (a file);
- the refund and cancellation terms as `refund_policy_disclosure` and
  `cancellation_policy_disclosure` (Stripe's `refund_policy` and `cancellation_policy` are
  file fields);
- the rest (name, e-mail, address, what was bought, shipping, the argument) as text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from evenhand.domain.disputes import EVIDENCE_FIELDS, EVIDENCE_LABELS
from evenhand.domain.text_pdf import text_pdf

TEXT_FIELDS = (
    "customer_name",
    "customer_email_address",
    "billing_address",
    "product_description",
    "shipping_carrier",
    "shipping_tracking_number",
    "shipping_date",
    "uncategorized_text",
)
DISCLOSURES = {
    "refund_policy": "refund_policy_disclosure",
    "cancellation_policy": "cancellation_policy_disclosure",
}
SHIPPING = ("shipping_carrier", "shipping_tracking_number", "shipping_date")
PDF = "application/pdf"

Upload = Callable[[str, bytes, str], str]  # (file name, content, MIME type) -> file id


def stripe_evidence(
    fields: Mapping[str, str], *, dispute_id: str, shop: str, upload: Upload
) -> dict[str, str]:
    """Stripe's `evidence[...]` values for the pack's fields; the files uploaded through
    `upload` (only those with something in them)."""
    evidence = {name: fields[name] for name in TEXT_FIELDS if fields.get(name)}
    evidence |= {stripe: fields[ours] for ours, stripe in DISCLOSURES.items() if fields.get(ours)}
    title = f"{shop}: dispute {dispute_id}"
    if fields.get("customer_communication"):
        body = text_pdf(
            f"{title}, communication with the customer",
            [(EVIDENCE_LABELS["customer_communication"], fields["customer_communication"])],
        )
        evidence["customer_communication"] = upload(f"communication-{dispute_id}.pdf", body, PDF)
    shipped = [(EVIDENCE_LABELS[name], fields[name]) for name in SHIPPING if fields.get(name)]
    if shipped:
        body = text_pdf(f"{title}, shipping", shipped)
        evidence["shipping_documentation"] = upload(f"shipping-{dispute_id}.pdf", body, PDF)
    whole = [(EVIDENCE_LABELS[name], fields[name]) for name in EVIDENCE_FIELDS if fields.get(name)]
    body = text_pdf(f"{title}, evidence pack", whole)
    evidence["uncategorized_file"] = upload(f"evidence-pack-{dispute_id}.pdf", body, PDF)
    return evidence
