"""A seeded, realistic demo shop: a Swedish subscription and home-goods brand selling in SEK."""
