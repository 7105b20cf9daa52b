"""Export the questions the assistant was unsure about as CSV (already masked)."""

from __future__ import annotations

import argparse
import csv
import sys

from sqlalchemy import select

from bot.storage.db import session_scope
from bot.storage.models import FallbackQuestion


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="-", help="CSV file to write (default: stdout)")


def run(args: argparse.Namespace) -> int:
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="", encoding="utf-8")  # noqa: SIM115
    try:
        writer = csv.writer(out)
        writer.writerow(["created_at", "text", "top_intent", "confidence"])
        with session_scope() as session:
            for row in session.scalars(select(FallbackQuestion).order_by(FallbackQuestion.created_at)):
                writer.writerow([row.created_at.isoformat(), row.text, row.top_intent, f"{row.confidence:.3f}"])
    finally:
        if out is not sys.stdout:
            out.close()
    return 0
