"""The event loop keeps running while photos are checked in the worker pool."""

from __future__ import annotations

import asyncio

import pytest

from bot.precheck.api import check_image_async, shutdown_pool

from .conftest import degraded_jpeg


@pytest.fixture(autouse=True)
def fresh_pool():
    shutdown_pool()
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
        # with OCR, on a fresh pool (model loading): seconds of work for the worker process
        check_image_async(data, "contract", "a.jpg", use_ocr=True, timeout=600),
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


async def test_a_dead_worker_is_replaced_and_the_next_photo_still_gets_checked():
    """A worker killed by the OS (out of memory, a native crash) must not break the pre-check
    for everybody afterwards: the pool is replaced and the check retried."""
    import bot.precheck.api as api

    data = degraded_jpeg("contract", "blur", "strong")
    first = await check_image_async(data, "contract", "a.jpg", use_ocr=False, timeout=600)
    assert first.has("blurry")
    for process in list(api._pool._processes.values()):  # type: ignore[union-attr]
        process.kill()
        process.join()
    second = await check_image_async(data, "contract", "b.jpg", use_ocr=False, timeout=600)
    assert second.has("blurry")


async def test_a_worker_killed_mid_check_is_retried_on_a_fresh_pool():
    import bot.precheck.api as api

    data = degraded_jpeg("contract", "blur", "strong")
    await check_image_async(data, "contract", "warm.jpg", use_ocr=False, timeout=600)
    pool = api._pool
    task = asyncio.create_task(check_image_async(data, "contract", "c.jpg", use_ocr=True, timeout=600))
    await asyncio.sleep(0.3)  # the OCR check is now running in the worker
    for process in list(pool._processes.values()):  # type: ignore[union-attr]
        process.kill()
    result = await task
    assert api._pool is not pool
    assert result.has("blurry")


async def test_a_photo_that_kills_every_worker_gets_a_friendly_answer(monkeypatch):
    import bot.precheck.api as api

    monkeypatch.setattr(api, "_check_in_worker", _die)
    result = await check_image_async(b"\xff\xd8", "contract", "poison.jpg", timeout=600)
    assert result.codes == ["check_failed"]
    assert "重新拍" in result.issues[0].message


def _die(*_args: object) -> None:
    import os

    os._exit(1)
