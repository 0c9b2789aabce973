# The whole platform for a benchmark, sourced by bench/run-serving.sh and bench/run-drift.sh: build it (Release),
# start it with the AppHost in $WORK/platform with the per-caller rate limits lifted (a benchmark measures the work, not the limits, with
# its one token), stop it, and get the admin's token. Expects WORK, GATEWAY and PY to be set.

PLATFORM_PID=""

build_platform() {
  echo "== building the platform (Release)" >&2
  dotnet build -c Release AppHost -nologo -v quiet >&2
}

start_platform() { # extra environment assignments (NAME=value ...)
  echo "== starting the platform in $WORK ${*:-(default logging)}" >&2
  # A platform stopped just before may still be letting go of its ports (PostgreSQL's shutdown checkpoint after a load).
  local port
  for port in 8000 8011 8012 8013 8014 8015 54320; do
    for _ in $(seq 1 60); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
      sleep 1
    done
  done
  # The AppHost hands its own environment down to every service it starts, so service settings go here too. Its launch
  # profile puts the dashboard on 127.0.0.1:18888; PostgreSQL and Prometheus run from the machine's binaries.
  env MlOps__Home="$WORK/platform" MlOps__Containers=false \
    Gateway__RateLimits__PermitsPerSecond=10000000 Gateway__RateLimits__Burst=10000000 \
    Serving__PermitsPerSecond=10000000 Serving__Burst=10000000 "$@" \
    dotnet run --project AppHost -c Release --no-build >"$WORK/platform.log" 2>&1 &
  PLATFORM_PID=$!
  for _ in $(seq 1 180); do
    grep -q "MlOps platform is ready" "$WORK/platform.log" && break
    kill -0 "$PLATFORM_PID" 2>/dev/null || break
    sleep 1
  done
  grep -q "MlOps platform is ready" "$WORK/platform.log" || { tail -50 "$WORK/platform.log" >&2; exit 1; }
}

stop_platform() {
  [[ -n "$PLATFORM_PID" ]] || return 0
  kill -TERM "$PLATFORM_PID" 2>/dev/null || true
  wait "$PLATFORM_PID" 2>/dev/null || true
  PLATFORM_PID=""
}

# Stops the platform and removes $WORK when the script ends, however it ends.
clean_up_on_exit() {
  trap 'stop_platform; rm -rf "$WORK"' EXIT
}

# Access tokens live 15 minutes, less than a whole benchmark: ask for a fresh one before each timed part.
token() {
  curl -fsS -d grant_type=password -d username=admin -d password="$(cat "$WORK/platform/admin-password")" \
    "$GATEWAY/connect/token" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# Submits a training job (its JSON body) with the admin's token and waits for it: returns once it succeeded, fails
# the benchmark if it failed, was canceled or has not ended within 5 minutes.
train() {
  local auth job status
  auth="Authorization: Bearer $(token)"
  job="$(curl -fsS -H "$auth" -H 'Content-Type: application/json' -d "$1" "$GATEWAY/api/training/jobs" \
    | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  for _ in $(seq 1 300); do
    status="$(curl -fsS -H "$auth" "$GATEWAY/api/training/jobs/$job" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
    [[ "$status" == succeeded ]] && return 0
    [[ "$status" == failed || "$status" == canceled ]] && { echo "training $status" >&2; exit 1; }
    sleep 1
  done
  echo "training job $job did not end within 5 minutes" >&2
  exit 1
}
