"""居住证助手 — Shanghai residence-permit assistant.

Kept import-free on purpose: a small part of this package (``bot.brain.rasa_channel``)
is imported by the Rasa server, which runs on Python 3.10 in its own environment.
"""
