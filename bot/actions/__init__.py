"""Rasa custom actions, served by the rasa_sdk action server from the bot's own environment.

The action server imports this package and every submodule; each module covers one concern.
"""

from bot.logging_setup import install_record_masking

# The action server logs through rasa_sdk/sanic; mask personal numbers in every record it makes.
install_record_masking()
