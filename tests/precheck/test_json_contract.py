"""The ``precheck --json`` output: one object per file and line, stable keys and codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bot.precheck import cli
from bot.precheck.messages import MESSAGES

from .conftest import degraded_jpeg

KNOWN_CODES = {key.split(".")[0] for key in MESSAGES}
ISSUE_CODES_FROM_THE_BRIEF = {
    "bad_format", "too_large", "low_resolution", "blurry", "glare", "too_dark", "too_bright", "low_contrast",
    "cropped", "not_a_document", "wrong_document", "face_missing", "multiple_faces", "face_size", "background",
}


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(argv))


def test_every_code_named_in_the_issue_has_a_message():
    assert ISSUE_CODES_FROM_THE_BRIEF <= KNOWN_CODES


def test_json_lines_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    good = tmp_path / "filing.jpg"
    good.write_bytes(degraded_jpeg("rental_filing", "clean", ""))
    bad = tmp_path / "archive.jpg"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    status = run_cli(["--json", "--kind", "rental_filing", str(good), str(bad)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    objects = [json.loads(line) for line in lines]
    for obj in objects:
        assert list(obj) == ["file", "kind", "verdict", "issues", "document", "ms"]
        assert obj["kind"] == "rental_filing"
        assert obj["verdict"] in {"ok", "warn", "reject"}
        assert set(obj["document"]) == {"type", "confidence"}
        assert isinstance(obj["ms"], int)
        for issue in obj["issues"]:
            assert list(issue) == ["code", "severity", "message", "value"]
            assert issue["code"] in KNOWN_CODES
            assert issue["severity"] in {"reject", "warn", "info"}
    assert objects[0]["file"] == str(good) and objects[0]["verdict"] == "ok"
    assert objects[1]["verdict"] == "reject" and objects[1]["issues"][0]["code"] == "bad_format"
    assert status == 1


def test_issues_are_listed_worst_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    photo = tmp_path / "dark.jpg"
    photo.write_bytes(degraded_jpeg("contract", "dark", "strong"))
    run_cli(["--json", "--no-ocr", "--kind", "portrait", str(photo)])
    issues = json.loads(capsys.readouterr().out)["issues"]
    ranks = [{"reject": 0, "warn": 1, "info": 2}[issue["severity"]] for issue in issues]
    assert ranks == sorted(ranks)


def test_unreadable_path_exits_with_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert run_cli([str(tmp_path / "missing.jpg")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_human_output_is_the_chinese_reply(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    photo = tmp_path / "id.jpg"
    photo.write_bytes(degraded_jpeg("id_front", "clean", ""))
    assert run_cli(["--kind", "id_front", str(photo)]) == 0
    assert "✅" in capsys.readouterr().out
