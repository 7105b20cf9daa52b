"""Renders Rasa's endpoints.yml from the bot's settings, so both share one database."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from bot.config import Settings

# Rasa's SQL tracker store without its per-message overheads (bot/brain/tracker_store.py).
TRACKER_STORE_CLASS = "bot.brain.tracker_store.LeanSQLTrackerStore"
# Rasa's Redis ticket lock, atomic and off the event loop (bot/brain/lock_store.py).
LOCK_STORE_CLASS = "bot.brain.lock_store.AtomicRedisLockStore"


def tracker_store_url(database_url: str) -> str:
    """The bot's DATABASE_URL in the form Rasa's SQLAlchemy 1.4 + psycopg2 understands."""
    url = database_url
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql://" + url[len(prefix):]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = "sqlite:///" + str(Path(url[len("sqlite:///"):]).resolve())
    return url


def render_endpoints(settings: Settings) -> dict[str, Any]:
    endpoints: dict[str, Any] = {
        "action_endpoint": {"url": settings.action_url},
        "tracker_store": {"type": TRACKER_STORE_CLASS, "url": tracker_store_url(settings.database_url)},
    }
    if settings.lock_store_url:
        redis = urlparse(settings.lock_store_url)
        endpoints["lock_store"] = {
            "type": LOCK_STORE_CLASS,
            "url": redis.hostname or "127.0.0.1",
            "port": redis.port or 6379,
            "db": int((redis.path or "/0").strip("/") or 0),
            "key_prefix": "juzhuzheng",
        }
        if redis.password:
            endpoints["lock_store"]["password"] = redis.password
    return endpoints


def write_endpoints(settings: Settings, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(render_endpoints(settings), allow_unicode=True), encoding="utf-8")
    return path
