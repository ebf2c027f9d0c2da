#!/usr/bin/env bash
# CI guard for the contracts: buf lint, a breaking-change check against main, and a regeneration
# that must reproduce the committed code in libs/proto/src/gen byte for byte.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"
buf lint
bash tools/scripts/proto-breaking.sh
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
buf generate --output "$tmp" >/dev/null 2>&1 || buf generate -o "$tmp"
if ! diff -r "$tmp/libs/proto/src/gen" libs/proto/src/gen >/dev/null; then
  echo "proto-check: libs/proto/src/gen differs from what proto/ generates; run 'npm run proto:gen' and commit" >&2
  diff -r "$tmp/libs/proto/src/gen" libs/proto/src/gen | head -40 >&2
  exit 1
fi
echo "proto-check: lint clean, no breaking change, generated code up to date"
