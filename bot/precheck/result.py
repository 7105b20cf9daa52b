"""Result types of a photo pre-check and their stable JSON form.

The JSON shape is a contract (``python -m bot precheck --json`` and the chat channels):
``{"file", "kind", "verdict", "issues": [{"code", "severity", "message", "value"}],
"document": {"type", "confidence"}, "ms"}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["reject", "warn", "info"]
Verdict = Literal["ok", "warn", "reject"]

_SEVERITY_RANK: dict[str, int] = {"reject": 0, "warn": 1, "info": 2}


@dataclass(frozen=True)
class Issue:
    """One problem found: a stable ``code``, how bad it is, a Chinese fix tip and the measured value."""

    code: str
    severity: Severity
    message: str
    value: float | int | str | None = None

    def to_dict(self) -> dict[str, Any]:
        value = round(self.value, 4) if isinstance(self.value, float) else self.value
        return {"code": self.code, "severity": self.severity, "message": self.message, "value": value}


@dataclass(frozen=True)
class DocumentGuess:
    """What the photo most likely shows (a kind code, ``portrait`` or ``unknown``)."""

    type: str = "unknown"
    confidence: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "confidence": round(self.confidence, 3)}


@dataclass
class PrecheckResult:
    """Everything the channels need to answer the user about one photo."""

    file: str
    kind: str
    issues: list[Issue] = field(default_factory=list)
    document: DocumentGuess = field(default_factory=DocumentGuess)
    ms: int = 0

    def __post_init__(self) -> None:
        self.issues = sort_worst_first(self.issues)

    @property
    def verdict(self) -> Verdict:
        return verdict_of(self.issues)

    @property
    def codes(self) -> list[str]:
        return [issue.code for issue in self.issues]

    def has(self, code: str) -> bool:
        return any(issue.code == code for issue in self.issues)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "verdict": self.verdict,
            "issues": [issue.to_dict() for issue in self.issues],
            "document": self.document.to_dict(),
            "ms": self.ms,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def sort_worst_first(issues: list[Issue]) -> list[Issue]:
    """Rejects first, then warnings, then notes; stable within a severity."""
    return sorted(issues, key=lambda issue: _SEVERITY_RANK[issue.severity])


def verdict_of(issues: list[Issue]) -> Verdict:
    severities = {issue.severity for issue in issues}
    if "reject" in severities:
        return "reject"
    if "warn" in severities:
        return "warn"
    return "ok"
