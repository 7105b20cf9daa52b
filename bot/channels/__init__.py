"""Messenger channels (console, Telegram). They know nothing of images or dates."""
