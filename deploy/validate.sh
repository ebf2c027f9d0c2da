#!/usr/bin/env bash
# Validates deploy/ with real tools, no container engine or cluster needed:
#   1. docker compose config   (the Compose specification's own loader and validator)
#   2. Dockerfile conventions  (base image, non-root, exec-form entry point, healthcheck)
#   3. kubectl kustomize       (renders deploy/k8s/base and deploy/k8s/overlays/dev)
#   4. kubeconform -strict     (every rendered object against Kubernetes v1.32 schemas; unknown fields fail)
#   5. wiring checks           (cluster-profile env, outboxes on durable per-instance volumes, probes, drain)
# Missing tools are provisioned into ${INFERMESH_TOOLS_DIR:-.tools}/deploy through the Go module proxy
# (kubeconform, docker compose v2, kustomize when kubectl is absent, and the Kubernetes OpenAPI document);
# the first run needs Go and takes minutes (compose compiles), later runs take seconds.
# Usage: bash deploy/validate.sh [--no-provision]
set -euo pipefail
cd "$(dirname "$0")/.."

PROVISION=1
[[ "${1:-}" == "--no-provision" ]] && PROVISION=0
TOOLS="$(mkdir -p "${INFERMESH_TOOLS_DIR:-.tools}/deploy" && cd "${INFERMESH_TOOLS_DIR:-.tools}/deploy" && pwd)"
BIN="$TOOLS/bin"
mkdir -p "$BIN"
K8S_VERSION=v1.32.4
# SHA-256 of api/openapi-spec/swagger.json in k8s.io/kubernetes@v1.32.4, pinned here because the checksum
# database does not answer for that module through this machine's proxy (GONOSUMDB below).
SWAGGER_SHA256=2335b4e7f79df85b20066164b14d8f02dd077dee7cd8c7b7fb425009c9837e85
KUBECONFORM_VERSION=v0.8.0
COMPOSE_VERSION=v2.40.3
KUSTOMIZE_VERSION=v5.5.0
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'validate: %s\n' "$*" >&2; exit 1; }
need_go() {
  [[ $PROVISION == 1 ]] || fail "$1 is missing and --no-provision was given"
  command -v go >/dev/null || fail "$1 is missing and Go is not on PATH to build it (https://go.dev/dl/)"
}
gocache() { env GOMODCACHE="$TOOLS/gomod" GOCACHE="$TOOLS/gocache" GOFLAGS=-mod=mod "$@"; }
cleanup_go() { chmod -R u+w "$TOOLS/gomod" "$TOOLS/gocache" 2>/dev/null || true; rm -rf "$TOOLS/gomod" "$TOOLS/gocache"; }

# --- tools --------------------------------------------------------------------------------------------
# docker compose: the CLI plugin if the docker CLI has one, else a plugin built from the compose module.
export DOCKER_CONFIG="${DOCKER_CONFIG:-$HOME/.docker}"
if ! docker compose version >/dev/null 2>&1; then
  if [[ ! -x "$BIN/docker-compose" ]]; then
    need_go "docker compose"
    echo "building docker compose $COMPOSE_VERSION (Go module proxy; a few minutes, once)"
    gocache go mod download "github.com/docker/compose/v2@$COMPOSE_VERSION"
    src="$TOOLS/compose-src"
    rm -rf "$src" && cp -r "$TOOLS/gomod/github.com/docker/compose/v2@$COMPOSE_VERSION" "$src" && chmod -R u+w "$src"
    (cd "$src" && gocache go build -trimpath -ldflags "-X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" -o "$BIN/docker-compose" ./cmd)
    rm -rf "$src"
    cleanup_go
  fi
  mkdir -p "$TOOLS/docker-config/cli-plugins"
  ln -sf "$BIN/docker-compose" "$TOOLS/docker-config/cli-plugins/docker-compose"
  export DOCKER_CONFIG="$TOOLS/docker-config"
fi
command -v docker >/dev/null || fail "the docker CLI is required (no engine needed): https://docs.docker.com/engine/install/"

if command -v kubectl >/dev/null; then
  KUSTOMIZE=(kubectl kustomize)
elif command -v kustomize >/dev/null; then
  KUSTOMIZE=(kustomize build)
else
  if [[ ! -x "$BIN/kustomize" ]]; then
    need_go kustomize
    gocache env GOBIN="$BIN" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
    cleanup_go
  fi
  KUSTOMIZE=("$BIN/kustomize" build)
fi

KUBECONFORM="$(command -v kubeconform || echo "$BIN/kubeconform")"
if [[ ! -x "$KUBECONFORM" ]]; then
  need_go kubeconform
  gocache env GOBIN="$BIN" go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
  cleanup_go
fi

SCHEMAS="$TOOLS/schemas/$K8S_VERSION"
if [[ ! -f "$SCHEMAS/deployment-apps-v1.json" ]]; then
  need_go "the Kubernetes $K8S_VERSION OpenAPI document"
  gocache env GONOSUMDB=k8s.io/kubernetes go mod download "k8s.io/kubernetes@$K8S_VERSION"
  swagger="$TOOLS/gomod/k8s.io/kubernetes@$K8S_VERSION/api/openapi-spec/swagger.json"
  echo "$SWAGGER_SHA256  $swagger" | sha256sum -c --quiet - || fail "swagger.json checksum mismatch"
  node deploy/tools/k8s-schemas.mjs "$swagger" "$SCHEMAS"
  cleanup_go
fi

# --- 1. compose --------------------------------------------------------------------------------------
step "docker compose config ($(docker compose version --short 2>/dev/null || echo '?'))"
COMPOSE=(docker compose -f deploy/docker-compose.yaml)
INFERMESH_API_KEYS=dev:im-dev-validate "${COMPOSE[@]}" config --quiet
INFERMESH_API_KEYS=dev:im-dev-validate "${COMPOSE[@]}" config --services | sort | tr '\n' ' '; echo
# The API keys are required, never defaulted: without them the file must not load.
if env -u INFERMESH_API_KEYS "${COMPOSE[@]}" config --quiet 2>"$OUT/compose.err"; then
  fail "compose accepted a missing INFERMESH_API_KEYS"
fi
echo "missing INFERMESH_API_KEYS rejected: $(grep -o 'set INFERMESH_API_KEYS[^"]*' "$OUT/compose.err" | head -1)"
INFERMESH_API_KEYS=dev:im-dev-validate "${COMPOSE[@]}" config --format json | node deploy/tools/check-compose.mjs

# --- 2. Dockerfiles -------------------------------------------------------------------------------------
step "Dockerfile conventions"
# One recipe for all six images (deploy/docker/Dockerfile, SERVICE picks the service).
f=deploy/docker/Dockerfile
grep -q '^ARG NODE_IMAGE=node:24-slim$' "$f" || fail "$f: base image is not node:24-slim"
[[ "$(grep -c '^FROM ' "$f")" -ge 2 ]] || fail "$f: not multi-stage"
grep -q '^USER node$' "$f" || fail "$f: does not drop to the non-root user"
grep -q '^ENTRYPOINT \["node", "deploy/start.cjs"\]$' "$f" || fail "$f: entry point is not exec-form node"
grep -q '^RUN npm install --omit=dev .*--workspace=@infermesh/${SERVICE}$' "$f" || fail "$f: production install is not scoped to the workspace"
grep -q '^  CMD \["node", "deploy/grpc-health.cjs"' "$f" || fail "$f: no gRPC HEALTHCHECK"
[[ -f "$f.dockerignore" ]] || fail "$f: no $f.dockerignore"
# Every service is built from it, with its own SERVICE and PORT, and every one has a main.js to start.
for svc in ingress tokenizer scheduler kv-directory worker-supervisor billing; do
  grep -q "dockerfile: deploy/docker/Dockerfile, args: { SERVICE: $svc, PORT: \"[0-9]*\" }" deploy/docker-compose.yaml || fail "compose does not build $svc from deploy/docker/Dockerfile"
  [[ -f "services/$svc/src/main.ts" ]] || fail "services/$svc has no src/main.ts for deploy/start.cjs to load"
done
echo "ok  $f (six services)"

# --- 3 + 4 + 5. Kubernetes ---------------------------------------------------------------------------
# kustomize prints each object as one document; the checks below read one document at a time.
doc_name() { awk '/^metadata:/ {m=1} m && /^  name:/ {print $2; exit}' "$1"; }
for target in deploy/k8s/base deploy/k8s/overlays/dev; do
  step "${KUSTOMIZE[*]} $target | kubeconform -strict (Kubernetes $K8S_VERSION)"
  name="$(echo "$target" | tr / -)"
  "${KUSTOMIZE[@]}" "$target" >"$OUT/$name.yaml"
  grep '^kind: ' "$OUT/$name.yaml" | sort | uniq -c | awk '{printf "%s x%s  ", $3, $1} END {print ""}'
  "$KUBECONFORM" -strict -summary -schema-location "$SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$OUT/$name.yaml"
  csplit -s -z -f "$OUT/$name-doc-" "$OUT/$name.yaml" '/^---$/' '{*}'
  workloads=0
  for doc in "$OUT/$name-doc-"*; do
    # The six infermesh workloads (the dev overlay's brokers have their own probes and are not checked here).
    grep -Eq '^kind: (Deployment|StatefulSet)$' "$doc" && grep -q 'image: infermesh/' "$doc" || continue
    workloads=$((workloads + 1))
    kind="$(awk '/^kind:/ {print $2; exit}' "$doc")"
    d="$kind/$(doc_name "$doc")"
    # gRPC readiness, a preStop sleep, requests and limits, a grace period above the drain (5 s preStop +
    # at most 15 s in stopOnSignals).
    grep -A4 'readinessProbe:' "$doc" | grep -q 'grpc:' || fail "$target: $d has no gRPC readiness probe"
    grep -A3 'preStop:' "$doc" | grep -q 'sleep' || fail "$target: $d has no preStop sleep"
    grep -q '^ *requests:$' "$doc" && grep -q '^ *limits:$' "$doc" || fail "$target: $d lacks requests or limits"
    grace="$(awk '/terminationGracePeriodSeconds:/ {print $2}' "$doc")"
    [[ "${grace:-0}" -gt 20 ]] || fail "$target: $d terminationGracePeriodSeconds ${grace:-unset} <= 20"
    # A service with a Kafka outbox is a StatefulSet with a per-pod claim mounted at its outbox directory,
    # and its producer is named after the pod (stable per instance, unique across instances).
    outbox_var=""
    grep -q 'name: INFERMESH_INGRESS_PRODUCER$' "$doc" && outbox_var=INFERMESH_EVENT_LOG_DIR
    grep -q 'name: INFERMESH_WORKER_SUPERVISOR_PRODUCER$' "$doc" && outbox_var=INFERMESH_WORKER_SUPERVISOR_OUTBOX_DIR
    if [[ -n "$outbox_var" ]]; then
      [[ "$kind" == StatefulSet ]] || fail "$target: $d keeps a Kafka outbox but is not a StatefulSet"
      grep -q '^  volumeClaimTemplates:$' "$doc" || fail "$target: $d has no volumeClaimTemplates for its outbox"
      dir="$(grep -A1 "name: $outbox_var\$" "$doc" | awk '/value:/ {print $2}')"
      [[ -n "$dir" ]] && grep -A1 "mountPath: $dir\$" "$doc" | grep -q 'name: outbox$' || fail "$target: $d does not mount the outbox claim at $outbox_var (${dir:-unset})"
      grep -A1 '_PRODUCER$' "$doc" | grep -q 'value: .*/$(POD_NAME)$' || fail "$target: $d producer name is not derived from the pod name"
      grep -q 'fieldPath: metadata.name' "$doc" || fail "$target: $d does not read its pod name (downward API)"
      grep -q 'INFERMESH_KAFKA_BROKERS' "$OUT/$name.yaml" || fail "$target: INFERMESH_KAFKA_BROKERS is not configured"
    fi
    if [[ "$d" == */billing ]]; then
      grep -A4 'name: INFERMESH_DATABASE_URL$' "$doc" | grep -q 'key: database-url$' || fail "$target: $d does not take INFERMESH_DATABASE_URL from the Secret"
      ! grep -q 'persistentVolumeClaim:' "$doc" || fail "$target: $d mounts a claim; the ledger is PostgreSQL"
    fi
  done
  [[ $workloads == 6 ]] || fail "$target: expected the six infermesh workloads, found $workloads"
  echo "all 6 workloads: gRPC readiness, preStop sleep, requests+limits, terminationGracePeriodSeconds > 20;"
  echo "outbox StatefulSets (per-pod claim, producer from the pod name); billing ledger URL from the Secret"
done

step "deploy/ is valid"
