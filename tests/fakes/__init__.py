"""In-process fakes of external services, speaking their real wire protocols over 127.0.0.1."""

from tests.fakes.telegram_api import FakeTelegramServer

__all__ = ["FakeTelegramServer"]
