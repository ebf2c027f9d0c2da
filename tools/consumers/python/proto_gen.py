"""Python classes for infermesh's protobuf contracts, generated only from the repository's proto/.

Nothing generated is committed: `ensure()` compiles every .proto under proto/ with the protoc that
ships inside the `grpcio-tools` wheel, into `.tools/pyproto/<digest>/`, where the digest covers the
.proto sources and the compiler version. A changed contract therefore gets a fresh directory on the
next run, and a directory that exists is complete (it is renamed into place only after protoc
succeeded), so concurrent runs are safe.

Usage: `python proto_gen.py` prints the directory (setup time, from ensure-python-refs.sh);
consumers call `ensure()` and import e.g. `infermesh.events.v1.events_pb2`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
PROTO_ROOT = REPO_ROOT / "proto"
CACHE_ROOT = REPO_ROOT / ".tools" / "pyproto"


def _sources() -> list[Path]:
    files = sorted(PROTO_ROOT.rglob("*.proto"))
    if not files:
        raise RuntimeError(f"no .proto files under {PROTO_ROOT}")
    return files


def _digest(files: list[Path], compiler: str) -> str:
    h = hashlib.sha256(compiler.encode())
    for f in files:
        h.update(str(f.relative_to(PROTO_ROOT)).encode() + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def ensure() -> Path:
    """Returns the directory holding the generated modules (generating it if needed) and puts it
    first on sys.path. Raises RuntimeError naming protoc's output when compilation fails."""
    try:
        import grpc_tools
        from grpc_tools import protoc
    except ImportError as err:
        raise RuntimeError("grpcio-tools is missing: run `bash tools/scripts/ensure-python-refs.sh`") from err
    files = _sources()
    out = CACHE_ROOT / _digest(files, getattr(grpc_tools, "__version__", "unknown"))
    if not out.is_dir():
        CACHE_ROOT.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".gen-", dir=CACHE_ROOT))
        try:
            well_known = Path(grpc_tools.__file__).parent / "_proto"
            args = ["protoc", f"-I{PROTO_ROOT}", f"-I{well_known}", f"--python_out={tmp}"]
            args += [str(f.relative_to(PROTO_ROOT)) for f in files]
            cwd = os.getcwd()
            os.chdir(PROTO_ROOT)
            try:
                rc = protoc.main(args)
            finally:
                os.chdir(cwd)
            if rc != 0:
                raise RuntimeError(f"protoc failed (exit {rc}) on {PROTO_ROOT}")
            try:
                tmp.rename(out)
            except OSError:
                if not out.is_dir():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    return out


if __name__ == "__main__":
    print(ensure())
