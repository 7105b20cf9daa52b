"""Cold start and per-message latency of the ask pipeline (issue 2 targets: ≤ 40 s, p99 ≤ 100 ms).

Cold start: wall time of `python -m bot ask --json 你好` with nothing running (the launcher starts
the Rasa server and the action server on free ports), until the first answer is printed.
Per message: ≥ 500 messages through Assistant.handle_text with the model loaded (fresh sender per
message, as `ask` does), after 20 warm-up messages.

    .venv/bin/python benchmarks/ask_latency.py [--messages 600] [--skip-cold]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "居住证快到期了怎么办", "小卡是什么", "续签要带什么材料", "居住证多久刷一次", "你好",
    "租的房子没有备案能办吗", "居住证过期了三个月还能续吗", "怎么查办理进度", "孩子的居住证谁去办",
    "上海居住證過期了要怎么續辦", "how to renew residence permit", "居住证丢了怎么补", "谢谢",
    "审核不通过怎么办", "办居住证要多久", "积分怎么算", "在随申办上怎么申请", "居住登记满半年是什么意思",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def cold_start(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ)
            env.update(
                BOT_DATA_DIR=tmp, RASA_URL=f"http://127.0.0.1:{free_port()}",
                ACTION_URL=f"http://127.0.0.1:{free_port()}/webhook", MANAGE_RASA="1", LOG_LEVEL="WARNING",
            )
            env.pop("DATABASE_URL", None)
            env.pop("RASA_TOKEN", None)
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-m", "bot", "ask", "--json", "居住证快到期了怎么办"],
                cwd=ROOT, env=env, capture_output=True, timeout=300, check=True,
            )
            times.append(time.perf_counter() - started)
            assert json.loads(out.stdout.decode().splitlines()[0])["reply"], out.stdout
    return times


async def per_message(count: int) -> list[float]:
    from bot.config import load_settings
    from bot.pipeline import build_assistant

    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(
            load_settings(), data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/bot.db",
            rasa_url=f"http://127.0.0.1:{free_port()}", action_url=f"http://127.0.0.1:{free_port()}/webhook",
        )
        assistant = await build_assistant(settings)
        try:
            for q in QUESTIONS:  # warm-up
                await assistant.handle_text(f"bench:{uuid.uuid4().hex}", q, "cli")
            latencies = []
            for i in range(count):
                started = time.perf_counter()
                turn = await assistant.handle_text(f"bench:{uuid.uuid4().hex}", QUESTIONS[i % len(QUESTIONS)], "cli")
                latencies.append((time.perf_counter() - started) * 1000)
                assert turn.replies and not turn.limited_mode
            return latencies
        finally:
            await assistant.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args()
    if not args.skip_cold:
        cold = cold_start(args.cold_runs)
        print(f"cold start (launcher → first answer), {len(cold)} runs: median {statistics.median(cold):.1f} s, max {max(cold):.1f} s")
    lat = asyncio.run(per_message(args.messages))
    print(
        f"per message, {len(lat)} messages: p50 {percentile(lat, 50):.1f} ms, p90 {percentile(lat, 90):.1f} ms, "
        f"p99 {percentile(lat, 99):.1f} ms, max {max(lat):.1f} ms"
    )


if __name__ == "__main__":
    main()
