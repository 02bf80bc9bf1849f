"""The review platforms' own APIs: posting a public reply to a review."""
