"""Import every table module so ``Base.metadata`` knows all tables (Alembic, /forget, tests)."""

from bot.storage import (
    callbacks,  # noqa: F401
    checklists,  # noqa: F401
    models,  # noqa: F401
    reminders,  # noqa: F401
)
from bot.storage.base import Base

__all__ = ["Base"]
