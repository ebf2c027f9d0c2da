#!/usr/bin/env bash
# Provisions the Python side of the tests in one virtual environment, .tools/pyref:
# - the reference tokenizers the tokenizer parity test runs against: pinned `tokenizers`, `tiktoken`
#   and `transformers` (chat templating only: no model is ever downloaded);
# - the non-TypeScript Kafka consumer of tools/consumers/python: `confluent-kafka` (manylinux wheel
#   with librdkafka inside), `protobuf`, and `grpcio-tools` for its bundled protoc, which compiles
#   proto/ into .tools/pyproto/<digest>/ (generated at setup, never committed; see proto_gen.py).
# Idempotent and fast when done: a venv whose stamp matches the pinned set only has its protobuf
# classes checked (regenerated when proto/ changed). A stale venv is upgraded in place (other test
# runs may be using it). Needs python3 (3.9+) with the venv module and the PyPI registry.
# Usage: bash tools/scripts/ensure-python-refs.sh   (from anywhere; prints the interpreter path)
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=.tools/pyref
PINS=(tokenizers==0.23.2 tiktoken==0.14.0 transformers==5.23.0 jinja2==3.1.6
      confluent-kafka==2.16.1 protobuf==7.36.2 grpcio-tools==1.85.1)
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
  "$VENV/bin/python" -B tools/consumers/python/proto_gen.py >/dev/null
  echo "$VENV/bin/python"
  exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
fi
rm -f "$STAMP"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${PINS[@]}" >&2
"$VENV/bin/python" -c 'import tokenizers, tiktoken, transformers, jinja2, confluent_kafka, google.protobuf, grpc_tools' >&2
"$VENV/bin/python" -B tools/consumers/python/proto_gen.py >/dev/null
printf '%s' "$want" > "$STAMP"
echo "$VENV/bin/python"
