"""Understanding a support message: its language, intent and threat signals.

One protocol (`Reader`) with an embedded default that runs offline; the message is
cleaned first (`clean`), so quoted history, HTML and signatures never reach a reader.
"""
