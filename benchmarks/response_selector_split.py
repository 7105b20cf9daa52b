"""ResponseSelector settings on one fixed 80/20 split of the FAQ examples (minutes, not the hour of
the 5-fold cross-validation in faq_eval.py).

Every 5th example of each FAQ entry is held out (the same fold 0 as faq_classifier_cv.py). The
pipeline is rasa/config.yml's tokenizer, featurizers and ResponseSelector; DIET is kept for the
pipeline's shape but trained for one epoch (the selector does not use its output). ``--set``
overrides ResponseSelector settings, e.g.::

    .venv/bin/python benchmarks/response_selector_split.py
    .venv/bin/python benchmarks/response_selector_split.py --set epochs=150
    .venv/bin/python benchmarks/response_selector_split.py --set epochs=100 --set embedding_dimension=64

Prints the held-out response-selection accuracy and the time taken.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.brain.local_faq import training_examples  # noqa: E402
from bot.brain.training import RASA_BIN, export_faq_responses  # noqa: E402

FOLDS = 5


def write_split(directory: Path) -> tuple[Path, Path, int]:
    train, test = [], []
    for entry_id, examples in training_examples().items():
        kept = [t for i, t in enumerate(examples) if i % FOLDS]
        held = [t for i, t in enumerate(examples) if not i % FOLDS]
        train.append({"intent": f"faq/{entry_id}", "examples": "".join(f"- {t}\n" for t in kept)})
        test.append({"intent": f"faq/{entry_id}", "examples": "".join(f"- {t}\n" for t in held)})
    paths = directory / "train.yml", directory / "test.yml"
    for path, blocks in zip(paths, (train, test), strict=True):
        path.write_text(yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return paths[0], paths[1], sum(len(b["examples"].splitlines()) for b in test)


def write_config(directory: Path, overrides: dict[str, Any]) -> Path:
    config = yaml.safe_load((ROOT / "rasa" / "config.yml").read_text(encoding="utf-8"))
    pipeline = []
    for component in config["pipeline"]:
        name = component["name"]
        if name == "DIETClassifier":
            component = {**component, "epochs": 1, "entity_recognition": False}
        elif name == "ResponseSelector":
            component = {**component, **overrides}
        elif name in ("FallbackClassifier", "EntitySynonymMapper"):
            continue
        pipeline.append(component)
    path = directory / "config.yml"
    path.write_text(yaml.safe_dump({**config, "pipeline": pipeline, "policies": []}, allow_unicode=True), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="ResponseSelector setting")
    args = parser.parse_args()
    overrides = {key: yaml.safe_load(value) for key, value in (item.split("=", 1) for item in args.set)}
    export_faq_responses()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"}
    with tempfile.TemporaryDirectory(prefix="rs-split-") as tmp:
        work = Path(tmp)
        train, test, held_out = write_split(work)
        config = write_config(work, overrides)
        started = time.perf_counter()
        for command in (
            ["train", "nlu", "--config", str(config), "--nlu", str(train), "--domain", "rasa/domain",
             "--out", str(work / "models"), "--fixed-model-name", "split"],
            ["test", "nlu", "--model", str(work / "models" / "split.tar.gz"), "--nlu", str(test),
             "--domain", "rasa/domain", "--out", str(work / "results"), "--no-plot"],
        ):  # fmt: skip
            proc = subprocess.run([str(RASA_BIN), *command], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise SystemExit(f"rasa {command[0]} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        report = json.loads((work / "results" / "response_selection_report.json").read_text(encoding="utf-8"))
    accuracy = report.get("accuracy", report.get("micro avg", {}).get("f1-score"))
    print(f"ResponseSelector {overrides or 'as configured'}: accuracy {accuracy:.3f} on {held_out} held-out "
          f"examples ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
