#!/usr/bin/env bash
# npm run test:container — builds the real Dockerfile with docker or podman (whichever works
# here), runs the image on a loopback port and checks what a deployment relies on: health,
# the sample API, a token from a mounted secrets file, non-root, read-only code, HEALTHCHECK,
# a clean exit 0 on SIGTERM, and users that outlive the container in the data volume. The base image must already be available (no registry pull):
# on machines without a registry, ../shared/tools/container-check.sh --base-only builds a stand-in.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-38124}
TAG=localhost/nextpress-test:latest
NAME=nextpress-test-$$
VOLUME=nextpress-test-data-$$
say() { printf 'test:container: %s\n' "$*"; }
# podman without systemd says so on every run, restart and stop (healthcheck timers); nothing is wrong.
quiet() { "$@" 2> >(grep -v "systemd connection" >&2); }
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
cleanup() {
  $ENGINE rm -f "$NAME" "$NAME-again" >/dev/null 2>&1 || true
  $ENGINE volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  rm -rf "$secrets"
}
trap cleanup EXIT

$ENGINE build "${BUILD_FLAGS[@]}" -t "$TAG" . >/tmp/nextpress-container-build.log 2>&1 ||
  { tail -30 /tmp/nextpress-container-build.log; say "FAIL build"; exit 1; }
say "PASS build"

$ENGINE volume create "$VOLUME" >/dev/null
run() { # name: the image with the secrets file and the data volume mounted
  quiet $ENGINE run -d --name "$1" "${RUN_FLAGS[@]}" -e HOST=127.0.0.1 -e PORT="$PORT" \
    -e API_TOKENS_FILE=/run/secrets/api_tokens -v "$secrets/api_tokens:/run/secrets/api_tokens:ro" \
    -v "$VOLUME:/app/data" "$TAG" >/dev/null
}
wait_ready() { # name: until /readyz answers 200 (the embedded database is open), at most 60 s
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz" && return 0
    [ "$($ENGINE inspect "$1" --format '{{.State.Running}}')" = true ] || return 1
    sleep 0.2
  done
  return 1
}
run "$NAME"

up=0
wait_ready "$NAME" && up=1
check "GET /healthz answers 200" 'curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz"'
check "GET /readyz answers 200 (the embedded database is open)" '[ "$up" = 1 ]'
[ "$up" = 1 ] || { $ENGINE logs "$NAME" 2>&1 | tail -20; exit 1; }
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
check "the image declares /app/data a volume" '$ENGINE image inspect "$TAG" --format "{{json .Config.Volumes}}" | grep -q "/app/data"'
check "the data volume is the app user's" '[ "$($ENGINE exec "$NAME" stat -c %U /app/data)" = node ]'
created=$(curl -s -X POST -H 'Content-Type: application/json' -d '{"name":"Ada","email":"ada@example.com"}' "http://127.0.0.1:$PORT/api/users")
id=$(printf '%s' "$created" | sed -n 's/^{"id":\([0-9][0-9]*\),.*/\1/p')
check "POST /api/users creates a user (id ${id:-none})" '[ -n "$id" ]'
quiet $ENGINE restart -t 15 "$NAME" >/dev/null
check "after a container restart the server is ready again" 'wait_ready "$NAME"'
check "the user created before the restart is still there" \
  'curl -fs "http://127.0.0.1:$PORT/api/users/$id" | grep -q "\"email\":\"ada@example.com\""'
check "its email is still taken (409)" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" -X POST -H "Content-Type: application/json" -d "{\"name\":\"Ada\",\"email\":\"ada@example.com\"}" "http://127.0.0.1:$PORT/api/users")" = 409 ]'

started=$(date +%s%N)
quiet $ENGINE stop -t 15 "$NAME" >/dev/null
code=$($ENGINE inspect "$NAME" --format '{{.State.ExitCode}}')
ms=$(( ($(date +%s%N) - started) / 1000000 ))
check "SIGTERM: exit code $code after ${ms} ms" '[ "$code" = 0 ] && [ "$ms" -lt 10000 ]'

run "$NAME-again"
check "a new container on the same volume is ready" 'wait_ready "$NAME-again"'
check "and has the user" 'curl -fs "http://127.0.0.1:$PORT/api/users/$id" | grep -q "ada@example.com"'
quiet $ENGINE stop -t 15 "$NAME-again" >/dev/null

size=$($ENGINE image inspect "$TAG" --format '{{.Size}}')
say "image size: $size bytes"
$ENGINE history "$TAG" --format '{{.Size}}\t{{.CreatedBy}}' 2>/dev/null | grep -E 'COPY' | head -5 | sed 's/^/test:container: layer /'
exit "$fail"
