"""Guided materials checklist: rules as data (knowledge/materials), text, card and storage.

Channels: ``render_card_for(checklist_id) -> bytes`` turns the action server's custom message
``{"type": "checklist_card", "checklist_id": id}`` into a PNG.
"""

from __future__ import annotations


def render_card_for(checklist_id: int, url: str | None = None) -> bytes:
    """PNG of a saved checklist; imported lazily so ``bot.materials`` stays light."""
    from bot.materials.service import render_card_for as render

    return render(checklist_id, url)


__all__ = ["render_card_for"]
