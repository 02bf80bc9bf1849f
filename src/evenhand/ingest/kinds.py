"""The kinds of file Evenhand imports (a light module: the CLI's options name them)."""

from __future__ import annotations

from enum import StrEnum


class ImportKind(StrEnum):
    SHOPIFY_ORDERS = "shopify-orders"
    SHOPIFY_ORDERS_JSON = "shopify-orders-json"
    SHOPIFY_CUSTOMERS = "shopify-customers"
    SHOPIFY_PRODUCTS = "shopify-products"
    DISPUTES = "disputes"
