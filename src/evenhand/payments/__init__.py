"""Clients of the payment providers where disputes live (Stripe's disputes API)."""
