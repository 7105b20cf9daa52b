"""Shared pieces for the failure tests: one local FAQ index (slow to build) for the module."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def local_faq():  # type: ignore[no-untyped-def]
    from bot.brain.local_faq import LocalFaq

    return LocalFaq.from_knowledge()
