"""Rasa custom actions, served by the rasa_sdk action server from the bot's own environment.

The action server imports this package and every submodule; each module covers one concern.
"""
