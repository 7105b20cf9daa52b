"""``python -m bot precheck [--json] [--kind KIND] FILE...`` — check photos from the shell.

With ``--json`` each file gives one JSON object on its own line (the stable contract);
otherwise the same Chinese reply the chat shows. Exit code: 0 all ok/warn, 1 any reject,
2 a file could not be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.precheck.kinds import KINDS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="photos to check (JPEG/PNG; others are explained)")
    parser.add_argument("--kind", choices=sorted(KINDS), default=None, help="what the photo should show")
    parser.add_argument("--json", action="store_true", help="one JSON object per file and line")
    parser.add_argument("--no-ocr", action="store_true", help="skip OCR (file and image-quality checks only)")


def run(args: argparse.Namespace) -> int:
    from bot.precheck.api import check_image, render_result_zh

    status = 0
    for name in args.files:
        try:
            data = Path(name).read_bytes()
        except OSError as error:
            print(f"{name}: cannot read ({error.strerror})", file=sys.stderr)
            status = max(status, 2)
            continue
        result = check_image(data, args.kind, filename=name, use_ocr=not getattr(args, "no_ocr", False))
        if args.json:
            print(result.to_json(), flush=True)
        else:
            print(f"{name}:\n{render_result_zh(result)}\n", flush=True)
        if result.verdict == "reject":
            status = max(status, 1)
    return status
