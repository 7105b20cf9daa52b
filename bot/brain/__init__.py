"""The language brain: Rasa client, the launcher that supervises Rasa, local fallback retrieval.

Import-free: ``bot.brain.rasa_channel`` is loaded by the Rasa server on Python 3.10.
"""
