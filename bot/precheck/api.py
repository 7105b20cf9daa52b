"""The channel-neutral entry points of the photo pre-check.

``check_image`` is a pure function of the bytes: it never writes the photo anywhere and never
logs what OCR read. Channels call ``check_image_async``, which runs the check in a small process
pool (bounded concurrency, a timeout), so a 12-megapixel photo never stalls the event loop, then
``render_result_zh`` for the reply and ``compressed_copy`` when the file is too large.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date

from bot.precheck.analyse import analyse
from bot.precheck.compress import fit_jpeg
from bot.precheck.intake import IntakeError, decode_image
from bot.precheck.kinds import KINDS, human_size, resolve_kind
from bot.precheck.messages import make_issue
from bot.precheck.result import DocumentGuess, Issue, PrecheckResult, Severity

POOL_WORKERS = int(os.environ.get("PRECHECK_WORKERS", "1"))
MAX_CONCURRENT = int(os.environ.get("PRECHECK_MAX_CONCURRENT", "2"))
TIMEOUT_SECONDS = float(os.environ.get("PRECHECK_TIMEOUT", "20"))

log = logging.getLogger(__name__)

PrecheckResultType = PrecheckResult  # re-export under the name used in the brief


def check_image(
    data: bytes,
    kind: str | None = None,
    filename: str = "",
    *,
    use_ocr: bool = True,
    today: date | None = None,
) -> PrecheckResult:
    """Check one photo (raw bytes) for the stated kind; ``kind=None`` lets the content decide."""
    started = time.perf_counter()
    spec = resolve_kind(kind)
    issues: list[Issue] = []
    if len(data) > spec.max_bytes:
        issues.append(
            make_issue("too_large", "reject", len(data), size=human_size(len(data)), limit=human_size(spec.max_bytes))
        )
    document = DocumentGuess()
    try:
        decoded = decode_image(data)
    except IntakeError as error:
        issues = [issue for issue in issues if issue.code != "too_large"] + [error.issue]
        return _result(filename, spec.code, issues, document, started)
    issues += decoded.issues
    if decoded.short_side < spec.min_short_side:
        severity: Severity = "reject" if decoded.short_side < spec.min_short_side // 2 else "warn"
        issues.append(
            make_issue("low_resolution", severity, decoded.short_side, short=decoded.short_side, minimum=spec.min_short_side)
        )
    analysis = analyse(decoded.rgb, spec, stated=kind is not None, use_ocr=use_ocr, today=today)
    issues += analysis.issues
    return _result(filename, spec.code, issues, analysis.document, started)


def _result(filename: str, kind: str, issues: list[Issue], document: DocumentGuess, started: float) -> PrecheckResult:
    unique: dict[str, Issue] = {}
    for issue in issues:  # one line per problem: keep the first (worst-ordered later) per code
        current = unique.get(issue.code)
        if current is None or (current.severity != "reject" and issue.severity == "reject"):
            unique[issue.code] = issue
    return PrecheckResult(
        file=filename,
        kind=kind,
        issues=list(unique.values()),
        document=document,
        ms=round((time.perf_counter() - started) * 1000),
    )


def compressed_copy(data: bytes, kind: str | None = None) -> bytes | None:
    """A JPEG of the same photo that fits the kind's size limit, or None if it cannot be made."""
    spec = resolve_kind(kind)
    try:
        decoded = decode_image(data, analysis_size=False)
    except IntakeError:
        return None
    return fit_jpeg(decoded.rgb, spec.max_bytes, spec.min_short_side)


# --- off the event loop ------------------------------------------------------------------------

_pool: ProcessPoolExecutor | None = None
_semaphore: asyncio.Semaphore | None = None


def _warm_up() -> None:
    """Load the OCR models once per worker process, before the first photo arrives."""
    from bot.precheck.ocr import ocr_engine

    ocr_engine()


def _executor() -> ProcessPoolExecutor:
    """The shared pool; a pool whose worker died (out of memory, a native crash) is replaced."""
    global _pool
    if _pool is not None and getattr(_pool, "_broken", False):
        _discard_pool(kill=True)
    if _pool is None:
        import multiprocessing

        _pool = ProcessPoolExecutor(
            max_workers=POOL_WORKERS, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up
        )
    return _pool


def _discard_pool(*, kill: bool) -> None:
    """Forget the pool without waiting for it. ``kill`` also stops its workers, so a check that
    hangs or ran past its timeout does not hold the only worker while new photos queue behind it.
    If a worker died, the queue feeding it can never drain: joining its feeder thread would hang
    the process at exit, so that join is cancelled."""
    global _pool
    pool, _pool = _pool, None
    if pool is None:
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    call_queue = getattr(pool, "_call_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    if call_queue is not None:
        call_queue.cancel_join_thread()
    if kill:
        for process in processes:
            if process.is_alive():
                process.kill()


def shutdown_pool() -> None:
    """Stop the pool and its workers (at exit, and between tests)."""
    global _semaphore
    _discard_pool(kill=True)
    _semaphore = None


atexit.register(shutdown_pool)


async def check_image_async(
    data: bytes,
    kind: str | None = None,
    filename: str = "",
    *,
    use_ocr: bool = True,
    timeout: float | None = None,
) -> PrecheckResult:
    """``check_image`` in the worker pool; at most MAX_CONCURRENT checks wait on it at once.

    The user always gets a result, never an exception: on timeout a ``check_timeout`` answer
    (and the stuck worker is replaced); when a worker dies the check is retried once on a fresh
    pool, and if the photo kills that one too it gets a ``check_failed`` answer.
    """
    global _semaphore
    if _semaphore is None:
        _semaphore = asyncio.Semaphore(MAX_CONCURRENT)
    spec = resolve_kind(kind)
    started = time.perf_counter()
    limit = timeout or TIMEOUT_SECONDS
    async with _semaphore:
        loop = asyncio.get_running_loop()
        for attempt in range(2):
            pool = _executor()
            try:
                future = loop.run_in_executor(pool, _check_in_worker, data, kind, filename, use_ocr)
                return await asyncio.wait_for(future, limit)
            except TimeoutError:
                if _pool is pool:
                    _discard_pool(kill=True)
                issue = make_issue("check_timeout", "warn", round(limit, 1))
                return _result(filename, spec.code, [issue], DocumentGuess(), started)
            except BrokenProcessPool:
                if _pool is pool:
                    _discard_pool(kill=True)
                log.warning("pre-check worker died (attempt %d, %d bytes)", attempt + 1, len(data))
        issue = make_issue("check_failed", "warn", None)
        return _result(filename, spec.code, [issue], DocumentGuess(), started)


def _check_in_worker(data: bytes, kind: str | None, filename: str, use_ocr: bool) -> PrecheckResult:
    return check_image(data, kind, filename, use_ocr=use_ocr)


# --- the reply ---------------------------------------------------------------------------------

VERDICT_LINES = {
    "ok": "✅ 这张{name}看起来可以上传。",
    "warn": "⚠️ 这张{name}大致可以，但有几处建议改进：",
    "reject": "❌ 这张{name}很可能通不过审核，请按下面的提示重拍：",
}


RECOGNISED_CONFIDENCE = 0.5
RECOGNISED_LINE = "（按内容认作「{name}」。）"


def render_result_zh(result: PrecheckResult) -> str:
    """The chat reply: a verdict line, then one line per problem with how to fix it."""
    name = KINDS[result.kind].name_zh if result.kind in KINDS and result.kind != "other" else "照片"
    lines = [VERDICT_LINES[result.verdict].format(name=name)]
    guess = result.document
    if result.kind == "other" and guess.type in KINDS and guess.confidence >= RECOGNISED_CONFIDENCE:
        # no kind was stated: say what the content looked like, so a wrong guess is noticed
        lines.append(RECOGNISED_LINE.format(name=KINDS[guess.type].name_zh))
    for issue in result.issues:
        if issue.severity == "info":
            continue
        marker = "•" if issue.severity == "reject" else "◦"
        lines.append(f"{marker} {issue.message}")
    return "\n".join(lines)
