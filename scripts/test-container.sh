#!/usr/bin/env bash
# npm run test:container — builds the real Dockerfile with docker or podman (whichever works
# here), runs the image on a loopback port and checks what a deployment relies on: health,
# the sample API, a token from a mounted secrets file, non-root, read-only code, HEALTHCHECK,
# and a clean exit 0 on SIGTERM. The base image must already be available (no registry pull):
# on machines without a registry, ../shared/tools/container-check.sh --base-only builds a stand-in.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-38124}
TAG=localhost/nextpress-test:latest
NAME=nextpress-test-$$
say() { printf 'test:container: %s\n' "$*"; }
fail=0
check() { if eval "$2"; then say "PASS $1"; else say "FAIL $1"; fail=1; fi; }

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  ENGINE=docker BUILD_FLAGS=(--pull=false) RUN_FLAGS=(--network=host)
elif command -v podman >/dev/null; then
  # podman on these machines: chroot isolation, runc, explicit ulimits (see ../shared/TOOLCHAIN.md).
  ENGINE=podman
  BUILD_FLAGS=(--isolation=chroot --pull=never --network=host --format docker)
  RUN_FLAGS=(--runtime runc --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 --network=host --health-interval=disable)
else
  say "neither a working docker nor podman is installed"; exit 2
fi
say "engine: $ENGINE"

secrets=$(mktemp -d)
printf '# tokens for the container test\ncontainer-secret-token\n' >"$secrets/api_tokens"
chmod 644 "$secrets/api_tokens"
cleanup() { $ENGINE rm -f "$NAME" >/dev/null 2>&1 || true; rm -rf "$secrets"; }
trap cleanup EXIT

$ENGINE build "${BUILD_FLAGS[@]}" -t "$TAG" . >/tmp/nextpress-container-build.log 2>&1 ||
  { tail -30 /tmp/nextpress-container-build.log; say "FAIL build"; exit 1; }
say "PASS build"

$ENGINE run -d --name "$NAME" "${RUN_FLAGS[@]}" -e HOST=127.0.0.1 -e PORT="$PORT" \
  -e API_TOKENS_FILE=/run/secrets/api_tokens -v "$secrets/api_tokens:/run/secrets/api_tokens:ro" "$TAG" >/dev/null

up=0
for _ in $(seq 1 100); do
  if curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz"; then up=1; break; fi
  [ "$($ENGINE inspect "$NAME" --format '{{.State.Running}}')" = true ] || break
  sleep 0.2
done
check "GET /healthz answers 200" '[ "$up" = 1 ]'
[ "$up" = 1 ] || { $ENGINE logs "$NAME" 2>&1 | tail -20; exit 1; }
check "GET /readyz answers 200" 'curl -fs "http://127.0.0.1:$PORT/readyz" | grep -q ready'
check "GET /api/hello says hello" 'curl -fs "http://127.0.0.1:$PORT/api/hello" | grep -q "Hello, World!"'
check "the token from the secrets file is accepted" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "Authorization: Bearer container-secret-token" "http://127.0.0.1:$PORT/api/secure-data")" = 200 ]'
check "a wrong token is refused" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "Authorization: Bearer nope" "http://127.0.0.1:$PORT/api/secure-data")" = 401 ]'
uid=$($ENGINE exec "$NAME" sh -c 'id -u' 2>/dev/null || echo '?')
check "runs as a non-root user (uid $uid)" '[ "$uid" != 0 ] && [ "$uid" != "?" ]'
check "the app user cannot rewrite the code" '! $ENGINE exec "$NAME" sh -c "touch /app/dist/src/main.js" 2>/dev/null'
check "NODE_ENV=production" '[ "$($ENGINE exec "$NAME" sh -c "echo \$NODE_ENV")" = production ]'
check "no TypeScript compiler or test tools in the image" '! $ENGINE exec "$NAME" sh -c "ls /app/node_modules/typescript /app/node_modules/jest" >/dev/null 2>&1'
check "no sources or tests in the image" '! $ENGINE exec "$NAME" sh -c "ls /app/src /app/test" >/dev/null 2>&1'
if [ -n "$($ENGINE image inspect "$TAG" --format '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Test}}{{end}}' 2>/dev/null)" ]; then
  if [ "$ENGINE" = podman ]; then hc() { podman --runtime runc healthcheck run "$NAME" >/dev/null 2>&1; }
  else hc() { $ENGINE exec "$NAME" node dist/src/healthcheck.js; }; fi
  check "HEALTHCHECK reports healthy" hc
else
  check "the image has a HEALTHCHECK" false
fi
started=$(date +%s%N)
$ENGINE stop -t 15 "$NAME" >/dev/null
code=$($ENGINE inspect "$NAME" --format '{{.State.ExitCode}}')
ms=$(( ($(date +%s%N) - started) / 1000000 ))
check "SIGTERM: exit code $code after ${ms} ms" '[ "$code" = 0 ] && [ "$ms" -lt 10000 ]'

size=$($ENGINE image inspect "$TAG" --format '{{.Size}}')
say "image size: $size bytes"
$ENGINE history "$TAG" --format '{{.Size}}\t{{.CreatedBy}}' 2>/dev/null | grep -E 'COPY' | head -5 | sed 's/^/test:container: layer /'
exit "$fail"
