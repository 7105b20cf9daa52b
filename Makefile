# 居住证助手 — `make run` (Telegram when TELEGRAM_BOT_TOKEN is set, else the console chat), `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
BOT_STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
RASA_STAMP := $(RASA_VENV)/.installed-$(shell cat rasa/constraints-rasa.txt | sha256sum | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: help setup train validate run chat test test-unit eval lint bench clean

help:
	@echo "make setup     create .venv (bot, Python>=3.11) and .venv-rasa (Rasa 3.6, Python 3.10)"
	@echo "make run       Telegram bot if TELEGRAM_BOT_TOKEN is set, else the local console chat"
	@echo "make test      everything CI runs: data validation, unit, integration and Rasa story tests"
	@echo "make train     retrain the Rasa model if its inputs changed"
	@echo "make eval      cross-validation + held-out FAQ evaluation (numbers for benchmarks/README.md)"
	@echo "make lint      ruff + mypy"

setup: $(BOT_STAMP) $(RASA_STAMP)

$(BOT_STAMP): pyproject.toml
	@test -x $(PY) || "$$(scripts/find_python.sh bot)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

$(RASA_STAMP): rasa/constraints-rasa.txt
	@test -x $(RASA_VENV)/bin/python || "$$(scripts/find_python.sh rasa)" -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RASA_VENV)/bin/python -m pip install --quiet -c rasa/constraints-rasa.txt rasa==3.6.21 jieba opencc-python-reimplemented
	@rm -f $(RASA_VENV)/.installed-* && touch $@

train: setup
	$(PY) -m bot train

validate: setup
	$(PY) -m bot validate

run: setup train
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(PY) -m bot run; else $(PY) -m bot chat; fi

chat: setup train
	$(PY) -m bot chat

test: setup train
	$(PY) -m bot validate
	$(PY) -m bot test-stories
	$(PY) -m pytest $(PYTEST_ARGS)

test-unit: setup
	$(PY) -m pytest -m "not integration" $(PYTEST_ARGS)

eval: setup train
	$(PY) benchmarks/faq_eval.py

lint: setup
	$(VENV)/bin/ruff check bot tests benchmarks
	$(VENV)/bin/mypy

clean:
	rm -rf models data .pytest_cache .mypy_cache .ruff_cache
