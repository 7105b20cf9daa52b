"""Loads and validates the FAQ data in ``knowledge/faq`` (the single source of every answer)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT

FAQ_DIR = PROJECT_ROOT / "knowledge" / "faq"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
CERTAINTIES = ("official", "consistent", "uncertain")
MAX_ANSWER_CHARS = 400


class KnowledgeError(ValueError):
    """The knowledge data breaks its schema."""


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class FaqEntry:
    id: str
    topic: str
    question: str
    short: str
    answer: str
    follow_ups: tuple[str, ...]
    sources: tuple[Source, ...]
    last_verified: date
    certainty: str


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    entry_ids: tuple[str, ...]


@dataclass
class FaqBase:
    entries: dict[str, FaqEntry] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)

    def get(self, entry_id: str) -> FaqEntry | None:
        return self.entries.get(entry_id)


def _require(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise KnowledgeError(f"{where}: {message}")


def _parse_entry(raw: dict[str, Any], topic: str, where: str) -> FaqEntry:
    for key in ("id", "question", "short", "answer", "follow_ups", "sources", "last_verified", "certainty"):
        _require(key in raw, where, f"missing field {key!r}")
    entry_id = str(raw["id"])
    where = f"{where}#{entry_id}"
    _require(bool(ID_PATTERN.match(entry_id)), where, "bad id")
    answer = str(raw["answer"]).strip()
    _require(0 < len(answer) <= MAX_ANSWER_CHARS, where, f"answer must be 1..{MAX_ANSWER_CHARS} chars")
    _require(raw["certainty"] in CERTAINTIES, where, f"certainty must be one of {CERTAINTIES}")
    sources = raw["sources"]
    _require(isinstance(sources, list) and len(sources) > 0, where, "needs at least one source")
    parsed_sources = []
    for src in sources:
        _require(isinstance(src, dict) and str(src.get("url", "")).startswith("http"), where, "source needs a url")
        parsed_sources.append(Source(title=str(src.get("title", "")), url=str(src["url"])))
    verified = raw["last_verified"]
    if isinstance(verified, str):
        verified = date.fromisoformat(verified)
    _require(isinstance(verified, date), where, "last_verified must be a date")
    follow_ups = tuple(str(x) for x in raw.get("follow_ups") or ())
    return FaqEntry(
        id=entry_id,
        topic=topic,
        question=str(raw["question"]).strip(),
        short=str(raw["short"]).strip(),
        answer=answer,
        follow_ups=follow_ups,
        sources=tuple(parsed_sources),
        last_verified=verified,
        certainty=str(raw["certainty"]),
    )


def load_faq(directory: Path = FAQ_DIR) -> FaqBase:
    """Parse every ``*.yml`` under ``directory``; raise ``KnowledgeError`` on any schema break."""
    base = FaqBase()
    for path in sorted(directory.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        topic = str(doc.get("topic") or path.stem)
        title = str(doc.get("title") or topic)
        ids: list[str] = []
        for raw in doc.get("entries") or []:
            entry = _parse_entry(raw, topic, path.name)
            _require(entry.id not in base.entries, path.name, f"duplicate id {entry.id}")
            base.entries[entry.id] = entry
            ids.append(entry.id)
        base.topics[topic] = Topic(key=topic, title=title, entry_ids=tuple(ids))
    for entry in base.entries.values():
        for ref in entry.follow_ups:
            _require(ref in base.entries and ref != entry.id, entry.id, f"unknown follow-up {ref!r}")
    return base


@lru_cache(maxsize=1)
def faq_base() -> FaqBase:
    return load_faq()
