"""Throughput of the Rasa side alone: Rasa server(s) + action server, no Telegram, no bot pipeline.

Starts the stack the way the bot does (its launcher, free ports, a throw-away data directory),
then plays ``--conversations`` users at once, each asking ``--turns`` FAQ questions in a row
through the assistant channel. Prints messages per second, CPU per message of each process
(children included: Sanic runs the action server in a worker process) and the median latency
per turn number (Rasa's cost grows with the conversation).

    .venv/bin/python benchmarks/rasa_throughput.py [--conversations 20] [--turns 10]

Uses DATABASE_URL when set (PostgreSQL as in production), else a SQLite file in the data dir.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.telegram.bot_process import free_port  # noqa: E402

QUESTIONS = [
    "居住证快到期了怎么续签", "签注要带什么材料", "第一次办居住证需要什么", "居住登记满半年才能办吗",
    "租房合同没备案可以办居住证吗", "居住证丢了怎么补办", "办居住证要多久", "在哪里查办理进度",
    "审核不通过怎么办", "居住证照片有什么要求", "小卡是什么", "居住证有效期多长", "地址变了要怎么办",
    "孩子可以办居住证吗",
]


def cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and its descendants."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout.split()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


async def measure(conversations: int, turns: int) -> None:
    from bot.brain.launcher import start_services
    from bot.brain.rasa_client import RasaClient
    from bot.config import load_settings
    from bot.storage.migrate import upgrade_database

    settings = load_settings()
    upgrade_database(settings.database_url)
    services = start_services(settings)
    try:
        client = RasaClient(settings.rasa_urls, services.rasa_token, timeout_s=120, shared_locks=bool(settings.lock_store_url))
        await client.send(f"warm-{uuid.uuid4().hex}", "你好")
        pids = {proc.name: proc.process.pid for proc in services.managed if proc.process is not None}
        latencies: dict[int, list[float]] = {turn: [] for turn in range(turns)}
        run = uuid.uuid4().hex[:8]

        async def conversation(index: int) -> None:
            for turn in range(turns):
                started = time.perf_counter()
                await client.send(f"bench-{run}-{index}", QUESTIONS[(index + turn) % len(QUESTIONS)])
                latencies[turn].append((time.perf_counter() - started) * 1000)

        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        started = time.perf_counter()
        await asyncio.gather(*(conversation(i) for i in range(conversations)))
        wall = time.perf_counter() - started
        after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        await client.aclose()
    finally:
        services.stop()
    messages = conversations * turns
    print(f"{messages} messages ({conversations} conversations x {turns} turns) in {wall:.1f} s: "
          f"{messages / wall:.1f} messages/s; load average {os.getloadavg()[0]:.1f}")
    for name in pids:
        print(f"  {name}: {1000 * (after[name] - before[name]) / messages:.1f} ms CPU per message")
    for turn in range(0, turns, max(1, turns // 5)):
        print(f"  turn {turn + 1}: median latency {statistics.median(latencies[turn]):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rasa-throughput-") as tmp:
        os.environ.update(
            BOT_DATA_DIR=tmp, MANAGE_RASA="1",
            RASA_URL=f"http://127.0.0.1:{free_port()}", ACTION_URL=f"http://127.0.0.1:{free_port()}/webhook",
        )
        os.environ.pop("RASA_TOKEN", None)
        asyncio.run(measure(args.conversations, args.turns))


if __name__ == "__main__":
    main()
