#!/usr/bin/env bash
# Fails when proto/ breaks wire or source compatibility with the main branch (buf's FILE rules).
# On main itself this compares main with its own last commit that touched proto/.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"
branch="$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo detached)"
if [ "$branch" = "main" ]; then
  against="$(git rev-list -n 1 HEAD~1 -- proto 2>/dev/null || true)"
else
  against="$(git rev-parse --verify -q main || true)"
fi
if [ -z "$against" ] || ! git cat-file -e "$against:proto/buf.yaml" 2>/dev/null && ! git cat-file -e "$against:buf.yaml" 2>/dev/null; then
  echo "proto-breaking: no earlier contracts to compare with; skipped"
  exit 0
fi
buf breaking --against ".git#ref=$against"
