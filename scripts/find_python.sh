#!/usr/bin/env bash
# Print the path of a Python interpreter of the wanted kind, or fail with advice.
#   find_python.sh bot   -> Python >= 3.11 for .venv
#   find_python.sh rasa  -> Python 3.10 for .venv-rasa ($RASA_PYTHON, python3.10, pyenv, uv)
set -euo pipefail
kind="${1:-bot}"

version_ok() {  # $1 = interpreter, $2 = python expression on sys.version_info
  "$1" -c "import sys; sys.exit(0 if $2 else 1)" >/dev/null 2>&1
}

if [[ "$kind" == "bot" ]]; then
  for cand in "${BOT_PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    [[ -n "$cand" ]] || continue
    if command -v "$cand" >/dev/null 2>&1 && version_ok "$cand" "sys.version_info >= (3, 11)"; then
      command -v "$cand"; exit 0
    fi
  done
  echo "error: Python 3.11 or newer is needed for the bot. Install it (e.g. 'pyenv install 3.11') or set BOT_PYTHON." >&2
  exit 1
fi

is310() { version_ok "$1" "sys.version_info[:2] == (3, 10)"; }
if [[ -n "${RASA_PYTHON:-}" ]]; then
  if is310 "$RASA_PYTHON"; then echo "$RASA_PYTHON"; exit 0; fi
  echo "error: RASA_PYTHON=$RASA_PYTHON is not a Python 3.10 interpreter." >&2; exit 1
fi
if command -v python3.10 >/dev/null 2>&1; then
  # pyenv shims exist even when the version is not selected; check that it really runs
  if is310 python3.10; then command -v python3.10; exit 0; fi
fi
if command -v pyenv >/dev/null 2>&1; then
  for cand in "$(pyenv root)"/versions/3.10.*/bin/python; do
    if [[ -x "$cand" ]] && is310 "$cand"; then echo "$cand"; exit 0; fi
  done
fi
if command -v uv >/dev/null 2>&1; then
  if cand="$(uv python find 3.10 2>/dev/null)" && is310 "$cand"; then echo "$cand"; exit 0; fi
fi
cat >&2 <<'MSG'
error: Rasa 3.6 needs Python 3.10, and none was found.
Get one of these, then run `make setup` again:
  • pyenv install 3.10        (https://github.com/pyenv/pyenv)
  • uv python install 3.10    (https://docs.astral.sh/uv/)
  • your OS package (e.g. apt install python3.10 python3.10-venv)
or point RASA_PYTHON at an existing Python 3.10 interpreter.
MSG
exit 1
