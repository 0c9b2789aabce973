#!/usr/bin/env bash
# Serving, ours against the seeds' stack, side by side in one run (bench/README.md, "Serving").
#   ours: the whole platform run by the AppHost (Release), predictions through the gateway with a real token, the
#         inference log on;
#   peer: FastAPI + uvicorn (one worker per core) + scikit-learn (bench/peers/fastapi_serve.py), twice: as Debian
#         packages it (pure-Python h11 on asyncio) and as `pip install "uvicorn[standard]"` does (httptools, uvloop).
# Both serve a logistic regression trained on the same cart-abandonment data, one instance per request. For each
# concurrency in $CONNECTIONS, wrk drives each for $DURATION on loopback after a $WARMUP warm-up; then ours runs again
# at half its peak rate, and serving alone (no gateway) at the same rate. Ours runs three ways: as started by default
# (access log on, every request traced), access logs off, and access logs off with 1% of requests traced
# (MlOps__TraceSampleRatio=0.01, what a deployment under load runs).
# Writes bench/results/serving.md and bench/results/serving.jsonl.
# Usage: bash bench/run-serving.sh      (DURATION=15s WARMUP=15s CONNECTIONS="16 64" by default). Needs wrk,
# python3-fastapi, python3-uvicorn, python3-uvloop, python3-httptools, python3-sklearn, and ports 8000, 8011-8015,
# 8100 and 54320 free (stop a running platform first).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
DURATION="${DURATION:-15s}"
# .NET compiles hot code again, optimized, in the first seconds under load: measure the steady state.
WARMUP="${WARMUP:-15s}"
CONNECTIONS="${CONNECTIONS:-16 64}"
# A freshly started platform takes longer than one warm-up to reach its steady state (measured: the first 10 s after a
# start at a third of the rate of the next): it gets this much load, unmeasured, first.
SETTLE="${SETTLE:-30s}"
CORES="$(nproc)"
OUT=bench/results
WORK="$(mktemp -d /tmp/mlops-serving-bench-XXXXXX)"
chmod 755 "$WORK" # run as root, PostgreSQL runs as the postgres user, which must reach its data folder
RAW="$OUT/serving.jsonl"
GATEWAY=http://127.0.0.1:8000
PEER=http://127.0.0.1:8100
BODY='{"session_duration": 12.5, "pages_visited": 8, "cart_value": 75.2, "time_of_day": "evening", "device_mobile": true, "user_returning": false, "items_in_cart": 3}'
mkdir -p "$OUT"
: >"$RAW"

# shellcheck source=bench/platform.sh
source bench/platform.sh
PEER_PID=""
cleanup() {
  [[ -n "$PEER_PID" ]] && kill "$PEER_PID" 2>/dev/null && wait "$PEER_PID" 2>/dev/null || true
  stop_platform
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_for() { # url what
  for _ in $(seq 1 180); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 1
  done
  echo "$2 did not come up" >&2
  return 1
}

run_wrk() { # label url token connections [delay_ms] [body: the prediction when not given, a GET when empty]
  local label="$1" url="$2" token="$3" connections="$4" delay="${5:-0}" body="${6-$BODY}"
  echo "== $label: $connections connections for $DURATION${delay:+, ${delay} ms pause per request}" >&2
  BODY="$body" TOKEN="$token" DELAY_MS="$delay" wrk -t2 -c"$connections" -d"$WARMUP" -s bench/serving/post.lua "$url" >/dev/null
  local result
  result="$(BODY="$body" TOKEN="$token" DELAY_MS="$delay" wrk -t2 -c"$connections" -d"$DURATION" --latency -s bench/serving/post.lua "$url" \
    | "$PY" bench/serving/wrk_json.py)"
  echo "{\"implementation\": \"$label\", \"connections\": $connections, \"delayMs\": $delay, \"result\": $result}" | tee -a "$RAW" >&2
}

# Drives predictions through the gateway (and so the serving service behind it) for $SETTLE, unmeasured.
settle() {
  echo "== settling the platform: $SETTLE of predictions" >&2
  BODY="$BODY" TOKEN="$(token)" DELAY_MS=0 wrk -t2 -c"${CONNECTIONS%% *}" -d"$SETTLE" -s bench/serving/post.lua "$GATEWAY/api/predict/carts" >/dev/null
}

build_platform

start_peer() { # extra uvicorn arguments
  echo "== starting the peer: uvicorn with $CORES workers $*" >&2
  TRAIN_CSV="$WORK/carts.csv" "$PY" -m uvicorn --app-dir bench/peers fastapi_serve:app --host 127.0.0.1 --port 8100 \
    --workers "$CORES" "$@" >"$WORK/peer.log" 2>&1 &
  PEER_PID=$!
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null -H 'Content-Type: application/json' -d "$BODY" "$PEER/predict" 2>/dev/null && break
    sleep 1
  done
}

stop_peer() {
  kill "$PEER_PID"; wait "$PEER_PID" 2>/dev/null || true; PEER_PID=""
}

start_platform
TOKEN="$(token)"
AUTH="Authorization: Bearer $TOKEN"

echo "== generating cart-abandonment (20,000 rows, seed 1) and training both models on it" >&2
curl -fsS -H "$AUTH" -H 'Content-Type: application/json' -d '{"generator":"cart-abandonment","rows":20000,"seed":1}' \
  "$GATEWAY/api/datasets/carts/versions/generate" >/dev/null
curl -fsS -H "$AUTH" "$GATEWAY/api/datasets/carts/versions/1/content" -o "$WORK/carts.csv"
train '{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"carts","promote":"always"}'
curl -fsS -H "$AUTH" -H 'Content-Type: application/json' -d "$BODY" "$GATEWAY/api/predict/carts" >&2; echo >&2
settle

# Default logging: every service writes an access line per request, as uvicorn does by default.
PEAK=0
for c in $CONNECTIONS; do
  run_wrk ours "$GATEWAY/api/predict/carts" "$(token)" "$c"
  RPS="$(tail -1 "$RAW" | "$PY" -c 'import json,sys; print(int(json.load(sys.stdin)["result"]["requestsPerSecond"]))')"
  (( RPS > PEAK )) && PEAK=$RPS
done

# Like for like with the peer, which has no gateway in front: the serving service alone (token checked, every
# prediction logged).
SERVING=http://127.0.0.1:8014
DIRECT_PEAK=0
for c in $CONNECTIONS; do
  run_wrk serving-direct "$SERVING/api/predict/carts" "$(token)" "$c"
  RPS="$(tail -1 "$RAW" | "$PY" -c 'import json,sys; print(int(json.load(sys.stdin)["result"]["requestsPerSecond"]))')"
  (( RPS > DIRECT_PEAK )) && DIRECT_PEAK=$RPS
done

# Half the peak: each connection waits 10 ms before its next request. A first run with half the peak / 100 connections
# falls short by the time each request takes, so a second run scales the connections by what the first reached.
rps_of_last() { tail -1 "$RAW" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["result"]["requestsPerSecond"])'; }
half_peak() { # label url peak
  local connections=$(( ($3 / 2 + 99) / 100 ))
  run_wrk "$1-trial" "$2" "$(token)" "$connections" 10
  connections="$("$PY" -c "print(max(1, round($connections * $3 / 2 / $(rps_of_last))))")"
  run_wrk "$1" "$2" "$(token)" "$connections" 10
  HALF_CONNECTIONS=$connections
}
half_peak ours-half-peak "$GATEWAY/api/predict/carts" "$PEAK"
# The same rate straight to the serving service: what the gateway hop adds.
run_wrk serving-direct-half-peak "$SERVING/api/predict/carts" "$(token)" "$HALF_CONNECTIONS" 10
# The serving service at half its own peak.
half_peak serving-direct-own-half-peak "$SERVING/api/predict/carts" "$DIRECT_PEAK"

# Half the peak again, at the concurrency the peak was measured with: the same connections, each pausing so that
# together they send half what they sent flat out (wrk pauses in whole milliseconds: the pause whose rate comes
# closest, within three tries).
result_of() { # implementation connections field
  "$PY" -c "import json,sys
rows=[json.loads(l) for l in open('$RAW')]
print(next(r['result']['$3'] for r in rows if r['implementation']=='$1' and r['connections']==$2 and r['delayMs']==0))"
}
half_rate_same_connections() { # label url peak-label connections
  local peak p50 pause rate
  peak="$(result_of "$3" "$4" requestsPerSecond)"
  p50="$(result_of "$3" "$4" p50Ms)"
  pause="$("$PY" -c "print(max(1, round($4 * 1000 / ($peak / 2) - $p50)))")"
  for _ in 1 2 3; do
    run_wrk "$1" "$2" "$(token)" "$4" "$pause"
    rate="$(rps_of_last)"
    pause="$("$PY" -c "r=$rate/($peak/2); print($pause + 1 if r > 1.15 else max(1, $pause - 1) if r < 0.85 and $pause > 1 else -1)")"
    if [[ "$pause" == -1 ]]; then break; fi
  done
}
FIRST_CONNECTIONS="${CONNECTIONS%% *}"
half_rate_same_connections ours-half-rate "$GATEWAY/api/predict/carts" ours "$FIRST_CONNECTIONS"
half_rate_same_connections serving-direct-half-rate "$SERVING/api/predict/carts" serving-direct "$FIRST_CONNECTIONS"
LOGGED="$(curl -fsS "http://127.0.0.1:8014/metrics" | grep '^mlops_inference_log_records_total' || true)"
stop_platform

# Without access logs on either side (the platform's data folder, model and token are kept).
start_platform 'Logging__LogLevel__MlOps.Requests=Warning'
settle
for c in $CONNECTIONS; do
  run_wrk ours-quiet "$GATEWAY/api/predict/carts" "$(token)" "$c"
  run_wrk serving-direct-quiet "$SERVING/api/predict/carts" "$(token)" "$c"
done
# The ceiling of this machine for anything through the gateway: a small GET it proxies (the auth service's discovery
# document, 510 bytes), and the same GET straight to the auth service.
run_wrk ceiling-proxied "$GATEWAY/.well-known/openid-configuration" "" "$FIRST_CONNECTIONS" 0 ""
run_wrk ceiling-direct "http://127.0.0.1:8011/.well-known/openid-configuration" "" "$FIRST_CONNECTIONS" 0 ""
stop_platform

# As a deployment under load runs: access logs off and 1% of requests traced (every trace costs about half of what
# the gateway serves here, docs/observability.md).
start_platform 'Logging__LogLevel__MlOps.Requests=Warning' MlOps__TraceSampleRatio=0.01
settle
for c in $CONNECTIONS; do
  run_wrk ours-sampled "$GATEWAY/api/predict/carts" "$(token)" "$c"
  run_wrk serving-direct-sampled "$SERVING/api/predict/carts" "$(token)" "$c"
done
stop_platform

# The peer as Debian packages it (h11 on asyncio), then as uvicorn[standard] runs it (httptools on uvloop); each with
# uvicorn's default access log and without.
for variant in "peer:h11:asyncio" "peer-standard:httptools:uvloop"; do
  IFS=: read -r label http loop <<<"$variant"
  start_peer --http "$http" --loop "$loop"
  curl -fsS -H 'Content-Type: application/json' -d "$BODY" "$PEER/predict" >&2; echo >&2
  for c in $CONNECTIONS; do
    run_wrk "$label" "$PEER/predict" "" "$c"
  done
  stop_peer
  start_peer --http "$http" --loop "$loop" --no-access-log
  for c in $CONNECTIONS; do
    run_wrk "$label-quiet" "$PEER/predict" "" "$c"
  done
  stop_peer
done

"$PY" - "$RAW" "$OUT/serving.md" "$CORES" "$DURATION" "$WARMUP" "$SETTLE" "$LOGGED" <<'PYEOF'
import json, platform, subprocess, sys
raw, out, cores, duration, warmup, settle, logged = sys.argv[1:]
rows = [json.loads(line) for line in open(raw)]
def find(impl, c):
    return next((r["result"] for r in rows if r["implementation"] == impl and r["connections"] == c), None)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
peer_versions = subprocess.run(["/usr/bin/python3", "-c", "import fastapi, uvicorn, sklearn; print(f'FastAPI {fastapi.__version__}, uvicorn {uvicorn.__version__}, scikit-learn {sklearn.__version__}')"], capture_output=True, text=True).stdout.strip()
def cell(r):
    return f"{r['requestsPerSecond']:,.0f} | {r['p50Ms']} | {r['p99Ms']}"
def errors(*results):
    return " / ".join(str(r["non2xx"] + r["socketErrors"]) for r in results)
lines = [
    "# Serving: ours against FastAPI + uvicorn + scikit-learn",
    "",
    f"Written by `bench/run-serving.sh`; machine: {cores} cores ({cpu}); each run {duration} after a {warmup} warm-up (and {settle} of load after each start of ours), wrk with 2 threads on",
    f"loopback, client and servers on the same {cores} cores; one cart-abandonment instance per request. Ours: gateway (token checked) →",
    "serving → inference log (PostgreSQL, every prediction). Peer: " + peer_versions + f", {cores} uvicorn workers, no prediction log,",
    "as Debian packages it (h11 on asyncio: \"peer\") and as `pip install \"uvicorn[standard]\"` runs it (httptools on uvloop: \"standard\").",
]
for title, ours, peer, standard in [("Default logging (an access log line per request on both sides)", "ours", "peer", "peer-standard"),
                                    ("Access logs off on both sides", "ours-quiet", "peer-quiet", "peer-standard-quiet"),
                                    ("Access logs off on both sides, 1% of our requests traced (`MlOps__TraceSampleRatio=0.01`; the peer traces none)",
                                     "ours-sampled", "peer-quiet", "peer-standard-quiet")]:
    lines += ["", f"## {title}", "",
              "| connections | ours req/s | p50 ms | p99 ms | peer req/s | p50 ms | p99 ms | ours/peer | standard req/s | p50 ms | p99 ms | ours/standard | errors ours / peer / standard |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for c in sorted({r["connections"] for r in rows if r["implementation"] == ours}):
        o, p, s = find(ours, c), find(peer, c), find(standard, c)
        if o is None or p is None or s is None:
            continue
        lines.append(f"| {c} | {cell(o)} | {cell(p)} | {o['requestsPerSecond'] / p['requestsPerSecond']:.1f}× | {cell(s)} | "
                     f"{o['requestsPerSecond'] / s['requestsPerSecond']:.1f}× | {errors(o, p, s)} |")
lines += ["", "## Like for like: the serving service alone against the peer (neither behind a gateway)", "",
          "Ours still checks the token and logs every prediction; the peer does neither.", "",
          "| logging | connections | serving req/s | p50 ms | p99 ms | peer req/s | ours/peer | standard req/s | ours/standard |",
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for logging, ours, peer, standard in [("default", "serving-direct", "peer", "peer-standard"), ("off", "serving-direct-quiet", "peer-quiet", "peer-standard-quiet"),
                                      ("off, 1% traced", "serving-direct-sampled", "peer-quiet", "peer-standard-quiet")]:
    for c in sorted({r["connections"] for r in rows if r["implementation"] == ours}):
        o, p, s = find(ours, c), find(peer, c), find(standard, c)
        if o is None or p is None or s is None:
            continue
        lines.append(f"| {logging} | {c} | {cell(o)} | {p['requestsPerSecond']:,.0f} | {o['requestsPerSecond'] / p['requestsPerSecond']:.1f}× | "
                     f"{s['requestsPerSecond']:,.0f} | {o['requestsPerSecond'] / s['requestsPerSecond']:.1f}× |")
half = next((r for r in rows if r["implementation"] == "ours-half-peak"), None)
direct = next((r for r in rows if r["implementation"] == "serving-direct-half-peak"), None)
own = next((r for r in rows if r["implementation"] == "serving-direct-own-half-peak"), None)
if half and direct and own:
    peak = max(r["result"]["requestsPerSecond"] for r in rows if r["implementation"] == "ours")
    direct_peak = max(r["result"]["requestsPerSecond"] for r in rows if r["implementation"] == "serving-direct")
    lines += ["", f"## Half the peak rate (default logging; peak {peak:,.0f} req/s through the gateway, {direct_peak:,.0f} for serving alone)", "",
              f"Each connection pauses {half['delayMs']} ms between requests; the connections are calibrated to reach half the peak.", "",
              "| path | connections | req/s | p50 ms | p90 ms | p99 ms | errors |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, r in [("gateway → serving (what users call), half its peak", half), ("serving alone at that rate", direct),
                     ("serving alone, half its own peak", own)]:
        result = r["result"]
        lines.append(f"| {label} | {r['connections']} | {result['requestsPerSecond']:,.0f} | {result['p50Ms']} | {result['p90Ms']} | **{result['p99Ms']}** | {result['non2xx'] + result['socketErrors']} |")
def last_of(impl):
    return next((r for r in reversed(rows) if r["implementation"] == impl), None)
same = [(label, last_of(impl), peak_impl) for label, impl, peak_impl in
        [("gateway → serving (what users call)", "ours-half-rate", "ours"), ("serving alone", "serving-direct-half-rate", "serving-direct")]]
if all(r for _, r, _ in same):
    lines += ["", "### At the peak's own concurrency", "",
              "The connections the peak was measured with, each pausing so that together they send about half the peak "
              "(the pause, in whole milliseconds, whose rate came closest).", "",
              "| path | connections | pause ms | req/s | share of its peak | p50 ms | p90 ms | p99 ms | errors |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, r, peak_impl in same:
        result, peak = r["result"], find(peak_impl, r["connections"])
        lines.append(f"| {label} | {r['connections']} | {r['delayMs']} | {result['requestsPerSecond']:,.0f} | "
                     f"{result['requestsPerSecond'] / peak['requestsPerSecond']:.0%} | {result['p50Ms']} | {result['p90Ms']} | **{result['p99Ms']}** | "
                     f"{result['non2xx'] + result['socketErrors']} |")
proxied = next((r for r in rows if r["implementation"] == "ceiling-proxied"), None)
bare = next((r for r in rows if r["implementation"] == "ceiling-direct"), None)
if proxied and bare:
    lines += ["", "## What this machine allows", "",
              f"The same wrk at {proxied['connections']} connections, access logs off, against a 510-byte GET (the auth service's discovery document):", "",
              "| path | req/s | p50 ms | p99 ms |", "| --- | ---: | ---: | ---: |",
              f"| through the gateway | {cell(proxied['result'])} |",
              f"| straight to the auth service | {cell(bare['result'])} |", "",
              "Anything users call through the gateway shares the first figure as its ceiling on these cores."]
lines += ["", "Inference log of the serving service at the end of our runs:", "", "```", logged.strip() or "(not read)", "```", ""]
open(out, "w").write("\n".join(lines))
print("\n".join(lines))
PYEOF
