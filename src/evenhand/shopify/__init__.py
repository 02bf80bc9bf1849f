"""Shopify's Admin GraphQL API: the mutations that carry out a remedy."""
