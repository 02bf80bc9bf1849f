"""Clients for the helpdesks Evenhand writes back to (Zendesk, Gorgias), over their REST APIs."""
