"""Evenhand: even-handed, policy-driven triage for e-commerce customer support."""

__version__ = "0.1.0"
