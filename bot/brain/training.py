"""Training: derive Rasa's FAQ responses from knowledge/, hash the inputs, retrain only on change."""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT

RASA_DIR = PROJECT_ROOT / "rasa"
DOMAIN_DIR = RASA_DIR / "domain"
GENERATED_RESPONSES = DOMAIN_DIR / "generated_faq_responses.yml"
TRAINING_INPUTS = (
    "rasa/config.yml", "rasa/domain", "nlu_data", "dialogs", "knowledge/faq", "knowledge/jieba",
    # Rasa's tokenizer reads the glossaries (bot/brain/glossing_tokenizer.py)
    "knowledge/glossary", "bot/brain/glossing_tokenizer.py", "bot/brain/synonym_gloss.py", "bot/brain/english_gloss.py",
    # and reads short replies from a word list (bot/brain/short_reply_reader.py)
    "bot/brain/short_reply_reader.py", "bot/brain/short_replies.py",
)  # fmt: skip
RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"


def export_faq_responses(path: Path = GENERATED_RESPONSES) -> Path:
    """Write ``utter_faq/<id>`` responses (required by Rasa's ResponseSelector) from knowledge/faq."""
    from bot.knowledge import load_faq

    base = load_faq()
    doc = {
        "version": "3.1",
        "intents": [{"faq": {"is_retrieval_intent": True}}],
        "responses": {f"utter_faq/{e.id}": [{"text": e.answer}] for e in base.entries.values()},
    }
    header = "# GENERATED from knowledge/faq by `python -m bot train` — do not edit.\n"
    text = header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=True, width=1000)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def training_fingerprint(project: Path = PROJECT_ROOT) -> str:
    """Content hash over every file that shapes the model."""
    digest = hashlib.sha256()
    for rel in TRAINING_INPUTS:
        root = project / rel
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            digest.update(str(path.relative_to(project)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path_for(fingerprint: str, models_dir: Path) -> Path:
    return models_dir / f"juzhuzheng-{fingerprint}.tar.gz"


def latest_model(models_dir: Path) -> Path | None:
    """The model trained from the current inputs, else the newest one on disk."""
    current = model_path_for(training_fingerprint(), models_dir)
    if current.exists():
        return current
    candidates = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    return candidates[0] if candidates else None


def rasa_command(*args: str) -> list[str]:
    return [str(RASA_BIN), *args]


def rasa_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env["RASA_TELEMETRY_ENABLED"] = "false"
    return env


def train(models_dir: Path, force: bool = False) -> Path:
    """Train unless a model for the current inputs exists. Serialised by a file lock."""
    export_faq_responses()
    models_dir.mkdir(parents=True, exist_ok=True)
    with open(models_dir / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        export_faq_responses()
        target = model_path_for(training_fingerprint(), models_dir)
        if target.exists() and not force:
            print(f"model is up to date: {target}", file=sys.stderr)
            return target
        cmd = rasa_command(
            "train", "--config", "rasa/config.yml", "--domain", "rasa/domain",
            "--data", "nlu_data", "dialogs", "--out", str(models_dir),
            "--fixed-model-name", target.name.removesuffix(".tar.gz"),
        )
        subprocess.run(cmd, cwd=PROJECT_ROOT, env=rasa_env(), check=True)
        return target


def validate_data() -> None:
    export_faq_responses()
    subprocess.run(
        rasa_command(
            "data", "validate", "--fail-on-warning", "--config", "rasa/config.yml",
            "--domain", "rasa/domain", "--data", "nlu_data", "dialogs",
        ),
        cwd=PROJECT_ROOT, env=rasa_env(), check=True,
    )


def test_stories(models_dir: Path, out_dir: Path) -> None:
    """``rasa test core`` on tests/rasa_stories; any wrong prediction fails."""
    model = latest_model(models_dir)
    if model is None:
        raise FileNotFoundError(f"no model in {models_dir}; run `make train`")
    subprocess.run(
        rasa_command(
            "test", "core", "--model", str(model), "--stories", "tests/rasa_stories",
            "--fail-on-prediction-errors", "--out", str(out_dir), "--no-plot",
        ),
        cwd=PROJECT_ROOT, env=rasa_env(), check=True,
    )
