"""The outside-style validation splits: read only to measure the reader (`evenhand eval`),
never to train or tune it. `README.md` says how they were made."""
