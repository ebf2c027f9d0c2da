#!/usr/bin/env bash
# Runs Jest (ESM, in band: the end-to-end suites start real process trees) and ends with one plain
# summary line, "tests: N passed, N failed, N skipped", whatever reporter is in use.
set -uo pipefail
cd "$(dirname "$0")/../.."
results="$(mktemp)"
# --forceExit: a failed test that leaves a client or a child process open must not hang CI; the
# failure itself is still reported and fails the run.
node --experimental-vm-modules node_modules/jest/bin/jest.js --runInBand --forceExit --json --outputFile="$results" "$@"
rc=$?
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);' "$results" 2>/dev/null || echo "tests: 0 passed, 1 failed"
rm -f "$results"
exit $rc
