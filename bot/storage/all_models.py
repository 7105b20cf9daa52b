"""Import every table module so ``Base.metadata`` knows all tables (Alembic, /forget, tests)."""

from bot.storage import models  # noqa: F401
from bot.storage import callbacks  # noqa: F401
from bot.storage import checklists  # noqa: F401
from bot.storage import reminders  # noqa: F401
from bot.storage.base import Base

__all__ = ["Base"]
