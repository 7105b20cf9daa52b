"""All settings, read once from the environment (and an optional ``.env`` file)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TIMEZONE = ZoneInfo("Asia/Shanghai")


def _load_dotenv() -> None:
    env_file = PROJECT_ROOT / ".env"
    if env_file.is_file():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)


def _int(name: str, default: int) -> int:
    return int(_number(name, default, int))


def _float(name: str, default: float) -> float:
    return float(_number(name, default, float))


def _number(name: str, default: float, kind: type[int] | type[float]) -> float:
    """A numeric setting; a value that is not a number falls back to the default, with a warning."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        logging.getLogger(__name__).warning("%s=%r is not a number; using %s", name, raw, default)
        return default


def _ids(name: str) -> frozenset[int]:
    raw = os.environ.get(name, "")
    return frozenset(int(part) for part in raw.replace(";", ",").split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; every field is documented in README.md."""

    telegram_token: str = ""
    database_url: str = ""
    rasa_url: str = "http://127.0.0.1:5905"
    rasa_token: str = ""
    action_url: str = "http://127.0.0.1:5955/webhook"
    rasa_servers: int = 1
    rasa_timeout_s: float = 2.0
    log_level: str = "INFO"
    data_dir: Path = PROJECT_ROOT / "data"
    models_dir: Path = PROJECT_ROOT / "models"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    manage_rasa: bool = True
    rasa_start_timeout_s: float = 300.0
    lock_store_url: str = ""
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str = ""
    telegram_api_base_url: str = ""
    telegram_file_base_url: str = ""
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    reminder_send_hour: int = 9
    max_text_chars: int = 1000
    clock_override: str = ""

    @property
    def rasa_port(self) -> int:
        from urllib.parse import urlparse

        return urlparse(self.rasa_url).port or 5905

    @property
    def rasa_urls(self) -> list[str]:
        """RASA_URL, then one more server per RASA_SERVERS on the following ports."""
        from urllib.parse import urlparse

        parsed = urlparse(self.rasa_url)
        return [self.rasa_url] + [
            parsed._replace(netloc=f"{parsed.hostname}:{self.rasa_port + i}").geturl()
            for i in range(1, self.rasa_servers)
        ]

    @property
    def action_port(self) -> int:
        from urllib.parse import urlparse

        return urlparse(self.action_url).port or 5955


def load_settings() -> Settings:
    """Build settings from the environment; unset variables take the documented defaults."""
    _load_dotenv()
    data_dir = Path(os.environ.get("BOT_DATA_DIR", "") or PROJECT_ROOT / "data")
    default_db = f"sqlite:///{data_dir / 'bot.db'}"
    return Settings(
        telegram_token=os.environ.get("TELEGRAM_BOT_TOKEN", "").strip(),
        database_url=os.environ.get("DATABASE_URL", "").strip() or default_db,
        rasa_url=os.environ.get("RASA_URL", "").strip().rstrip("/") or Settings.rasa_url,
        rasa_token=os.environ.get("RASA_TOKEN", "").strip(),
        action_url=os.environ.get("ACTION_URL", "").strip() or Settings.action_url,
        rasa_timeout_s=_float("RASA_TIMEOUT", 2.0),
        rasa_servers=max(1, min(8, _int("RASA_SERVERS", 1))),
        log_level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        data_dir=data_dir,
        models_dir=Path(os.environ.get("RASA_MODELS_DIR", "") or PROJECT_ROOT / "models"),
        manage_rasa=os.environ.get("MANAGE_RASA", "1").strip() not in {"0", "false", "no"},
        rasa_start_timeout_s=_float("RASA_START_TIMEOUT", 300.0),
        lock_store_url=os.environ.get("REDIS_URL", "").strip(),
        webhook_url=os.environ.get("WEBHOOK_URL", "").strip(),
        webhook_listen=os.environ.get("WEBHOOK_LISTEN", "127.0.0.1").strip(),
        webhook_port=_int("WEBHOOK_PORT", 8443),
        webhook_secret=os.environ.get("WEBHOOK_SECRET", "").strip(),
        telegram_api_base_url=os.environ.get("TELEGRAM_API_BASE_URL", "").strip(),
        telegram_file_base_url=os.environ.get("TELEGRAM_FILE_BASE_URL", "").strip(),
        admin_ids=_ids("ADMIN_IDS"),
        reminder_send_hour=_int("REMINDER_SEND_HOUR", 9),
        max_text_chars=_int("MAX_TEXT_CHARS", 1000),
        clock_override=os.environ.get("BOT_CLOCK", "").strip(),
    )
