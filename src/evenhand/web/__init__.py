"""The HTTP service: FastAPI app factory, API, webhooks."""
