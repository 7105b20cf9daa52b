"""The event loop keeps running while photos are checked in the worker pool."""

from __future__ import annotations

import asyncio

import pytest

from bot.precheck.api import check_image_async, shutdown_pool

from .conftest import degraded_jpeg


@pytest.fixture(autouse=True)
def fresh_pool():
    yield
    shutdown_pool()


async def test_checks_run_off_the_loop_and_return_results():
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    beat = asyncio.create_task(heartbeat())
    data = degraded_jpeg("contract", "blur", "strong")
    results = await asyncio.gather(
        check_image_async(data, "contract", "a.jpg", use_ocr=False, timeout=600),
        check_image_async(b"", "contract", "b.jpg", timeout=600),
    )
    beat.cancel()
    assert results[0].has("blurry")
    assert results[1].issues[0].code == "bad_format"
    assert ticks >= 3  # the loop kept ticking while the pool worked


async def test_a_check_that_takes_too_long_becomes_a_timeout_answer():
    data = degraded_jpeg("contract", "clean", "")
    result = await check_image_async(data, "contract", "slow.jpg", timeout=0.01)
    assert result.codes == ["check_timeout"]
    assert result.verdict == "warn"
    assert "稍后" in result.issues[0].message
