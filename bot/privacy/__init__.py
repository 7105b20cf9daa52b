"""What we store about a user, showing it (/mydata), deleting it (/forget), notice and consent.

Public API: ``describe_user_data``, ``forget_user``,
``has_reminder_consent``, ``give_reminder_consent``, ``withdraw_reminder_consent``,
``note_activity``, ``PRIVACY_NOTICE_TEXT``, ``REMINDER_CONSENT_TEXT``.
"""

from bot.privacy.consent import (
    PRIVACY_FIRST_USE_TEXT,
    PRIVACY_NOTICE_TEXT,
    REMINDER_CONSENT_TEXT,
    give_reminder_consent,
    has_reminder_consent,
    note_activity,
    withdraw_reminder_consent,
)
from bot.privacy.userdata import describe_user_data, forget_user, user_row_counts

__all__ = [
    "PRIVACY_FIRST_USE_TEXT",
    "PRIVACY_NOTICE_TEXT",
    "REMINDER_CONSENT_TEXT",
    "describe_user_data",
    "forget_user",
    "give_reminder_consent",
    "has_reminder_consent",
    "note_activity",
    "user_row_counts",
    "withdraw_reminder_consent",
]
