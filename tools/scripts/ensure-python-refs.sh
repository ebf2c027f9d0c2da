#!/usr/bin/env bash
# Provisions the Python reference tokenizers that the tokenizer parity test runs against:
# a virtual environment in .tools/pyref with pinned `tokenizers`, `tiktoken` and `transformers`
# (chat templating only: no model is ever downloaded). Idempotent: a venv whose stamp matches the
# pinned set is left alone. Needs python3 (3.9+) with the venv module and the PyPI registry.
# Usage: bash tools/scripts/ensure-python-refs.sh   (from anywhere; prints the interpreter path)
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=.tools/pyref
PINS=(tokenizers==0.23.2 tiktoken==0.14.0 transformers==5.23.0 jinja2==3.1.6)
STAMP="$VENV/.pins"

if ! command -v python3 >/dev/null 2>&1; then
  echo "ensure-python-refs: python3 is missing. Install Python 3.9+ with venv and pip" >&2
  echo "  (Debian/Ubuntu: apt-get install -y python3 python3-venv python3-pip), then rerun." >&2
  exit 1
fi
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "ensure-python-refs: python3 has no venv/ensurepip module (Debian/Ubuntu: apt-get install -y python3-venv)." >&2
  exit 1
fi

want="$(printf '%s\n' "${PINS[@]}")"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  echo "$VENV/bin/python"
  exit 0
fi

rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${PINS[@]}" >&2
"$VENV/bin/python" -c 'import tokenizers, tiktoken, transformers, jinja2' >&2
printf '%s' "$want" > "$STAMP"
echo "$VENV/bin/python"
