#!/usr/bin/env bash
# Builds @confluentinc/kafka-javascript into .tools/confluent-kafka (outside the workspace: nothing
# in the build or the lockfile depends on it; only the kafka-client benchmark loads it, at run time).
#
# Its install script first downloads a prebuilt binary from GitHub and otherwise builds librdkafka
# with `./configure --install-deps --source-deps-only`, which downloads OpenSSL, zstd, etc. Neither
# works without internet access beyond the npm registry. Debian's librdkafka-dev (2.0.2, bookworm)
# is too old for the binding (it needs rd_kafka_Uuid_t, DescribeTopics, ListOffsets: librdkafka
# >= 2.4; the package pins 2.15.1), so BUILD_LIBRDKAFKA=0 does not compile. What works: the
# librdkafka sources bundled in the npm tarball, configured without --install-deps
# (CKJS_LINKING=dynamic), linked against the system's zlib and OpenSSL, the binding loading
# build/deps/librdkafka.so.1 through its rpath. Needs g++, make, python3 (node-gyp) and Node's
# headers (taken from the running Node's distribution: no download).
# Idempotent: a build that loads is left alone. Usage: bash tools/bench/src/kafka-client/install-confluent.sh
set -euo pipefail
cd "$(dirname "$0")/../../../.."
source tools/scripts/ensure-node.sh 2>/dev/null

VERSION="${CONFLUENT_KAFKA_JS_VERSION:-1.10.1}"
DIR=.tools/confluent-kafka
PKG="$DIR/node_modules/@confluentinc/kafka-javascript"
loads() { node -e "const k = require('./$PKG'); if (!k.KafkaJS) process.exit(1)" >/dev/null 2>&1; }

if [[ -f "$PKG/package.json" ]] && [[ "$(node -p "require('./$PKG/package.json').version")" == "$VERSION" ]] && loads; then
  echo "$PKG"
  exit 0
fi
for tool in g++ make python3; do
  command -v "$tool" >/dev/null || { echo "install-confluent: $tool is missing (apt-get install -y build-essential python3)" >&2; exit 1; }
done

mkdir -p "$DIR"
npm install --prefix "$DIR" --ignore-scripts --no-audit --no-fund "@confluentinc/kafka-javascript@$VERSION" >&2
NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
NODEDIR="$(dirname "$(dirname "$(command -v node)")")"
[[ -f "$NODEDIR/include/node/node.h" ]] || { echo "install-confluent: no Node headers under $NODEDIR/include/node" >&2; exit 1; }
(
  cd "$PKG"
  export CKJS_LINKING=dynamic BUILD_LIBRDKAFKA=1
  # -j 1: with parallel jobs gyp may start compiling before librdkafka's configure wrote config.h.
  nice -n 10 node "$NODE_GYP" rebuild -j 1 --nodedir="$NODEDIR" >&2 || nice -n 10 node "$NODE_GYP" build -j 1 --nodedir="$NODEDIR" >&2
)
loads || { echo "install-confluent: built, but $PKG does not load" >&2; exit 1; }
echo "$PKG"
