#!/usr/bin/env bash
# Serving one tree model two ways through the gateway, side by side in one run (issue #22, bench/README.md "ONNX"):
#   ours: a gbdt (100 trees of 31 leaves, 20 numeric features) trained by the platform, scored by our own scorer;
#   onnx: the same model's exported ONNX file, registered as a model made elsewhere, scored by ONNX Runtime.
# Same platform, same token, same bodies, the inference log on, access logs off and 1% of requests traced (what a
# deployment under load runs). For each concurrency in $CONNECTIONS, wrk drives each model for $DURATION on loopback
# after a $WARMUP warm-up with one instance a request, the two models alternating; then 100 instances a request on
# $BATCH_CONNECTIONS connections, a rate the inference log keeps up with (flat out, batches of 100 outrun what the log
# writes on these 2 cores and serving answers 503 rather than lose a record).
# Writes bench/results/onnx-serving.md and bench/results/onnx-serving.jsonl.
# Usage: bash bench/run-onnx-serving.sh   (DURATION=15s WARMUP=10s CONNECTIONS="16 64" by default). Needs wrk and ports
# 8000, 8011-8015 and 54320 free (stop a running platform first).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-10s}"
CONNECTIONS="${CONNECTIONS:-16 64}"
BATCH_CONNECTIONS="${BATCH_CONNECTIONS:-2}"
SETTLE="${SETTLE:-20s}"
OUT=bench/results
WORK="$(mktemp -d /tmp/mlops-onnx-serving-bench-XXXXXX)"
chmod 755 "$WORK" # PostgreSQL runs as the postgres user, which must reach its data folder
RAW="$OUT/onnx-serving.jsonl"
GATEWAY=http://127.0.0.1:8000
mkdir -p "$OUT"
: >"$RAW"

# shellcheck source=bench/platform.sh
source bench/platform.sh
cleanup() {
  stop_platform
  rm -rf "$WORK"
}
trap cleanup EXIT

# 20,000 rows of 20 uniform features, labelled by a noisy rule on three of them (the BenchmarkDotNet model's data).
"$PY" - "$WORK/wide.csv" <<'EOF'
import random, sys
random.seed(42)
with open(sys.argv[1], "w") as out:
    out.write(",".join(f"x{f}" for f in range(20)) + ",label\n")
    for _ in range(20000):
        x = [random.random() for _ in range(20)]
        label = "yes" if x[0] + 0.5 * x[1] - x[2] + 0.3 * random.random() > 0.4 else "no"
        out.write(",".join(f"{v:.6f}" for v in x) + f",{label}\n")
EOF
ONE="$("$PY" -c 'import json; print(json.dumps({f"x{f}": round(0.05 * f, 3) for f in range(20)}))')"
BATCH="$("$PY" -c 'import json, random; random.seed(7); print(json.dumps({"instances": [{f"x{f}": round(random.random(), 6) for f in range(20)} for _ in range(100)]}))')"

build_platform
start_platform 'Logging__LogLevel__MlOps.Requests=Warning' MlOps__TraceSampleRatio=0.01
AUTH="Authorization: Bearer $(token)"

echo "== uploading the data, training the gbdt, registering its ONNX file as a model made elsewhere" >&2
curl -fsS -H "$AUTH" -H 'Content-Type: text/csv' --data-binary "@$WORK/wide.csv" "$GATEWAY/api/datasets/wide/versions" >/dev/null
train '{"dataset":"wide","target":"label","algorithm":"gbdt","model":"trees","promote":"always","hyperparameters":{"rounds":100,"numLeaves":31,"minChildSamples":5}}'
curl -fsS -H "$AUTH" "$GATEWAY/api/models/trees/versions/1/onnx" -o "$WORK/trees.onnx"
"$PY" - "$WORK/descriptor.json" <<'EOF'
import json, sys
json.dump({
    "task": "binary", "target": "label", "classes": ["no", "yes"],
    "inputs": [{"name": f"x{f}", "type": "numeric"} for f in range(20)],
    "outputs": {"label": "label", "probabilities": "probabilities"},
    "evaluateOn": {"dataset": "wide", "version": 1},
}, open(sys.argv[1], "w"))
EOF
curl -fsS -H "$AUTH" -F "file=@$WORK/trees.onnx" -F "descriptor=<$WORK/descriptor.json" "$GATEWAY/api/models/trees-onnx/versions" >/dev/null
curl -fsS -H "$AUTH" -X PUT -H 'Content-Type: application/json' -d '{"version":1,"reason":"benchmark"}' "$GATEWAY/api/models/trees-onnx/aliases/production" >/dev/null
for model in trees trees-onnx; do
  curl -fsS -H "$AUTH" -H 'Content-Type: application/json' -d "$ONE" "$GATEWAY/api/predict/$model" >&2; echo >&2
done

run_wrk() { # label model connections body
  local label="$1" url="$GATEWAY/api/predict/$2" connections="$3" body="$4" token result
  token="$(token)"
  echo "== $label: $connections connections for $DURATION" >&2
  BODY="$body" TOKEN="$token" DELAY_MS=0 wrk -t2 -c"$connections" -d"$WARMUP" -s bench/serving/post.lua "$url" >/dev/null
  result="$(BODY="$body" TOKEN="$token" DELAY_MS=0 wrk -t2 -c"$connections" -d"$DURATION" --latency -s bench/serving/post.lua "$url" \
    | "$PY" bench/serving/wrk_json.py)"
  echo "{\"implementation\": \"$label\", \"connections\": $connections, \"result\": $result}" | tee -a "$RAW" >&2
}

echo "== settling the platform: $SETTLE of predictions" >&2
BODY="$ONE" TOKEN="$(token)" DELAY_MS=0 wrk -t2 -c16 -d"$SETTLE" -s bench/serving/post.lua "$GATEWAY/api/predict/trees" >/dev/null
for c in $CONNECTIONS; do
  run_wrk ours-one trees "$c" "$ONE"
  run_wrk onnx-one trees-onnx "$c" "$ONE"
done
run_wrk ours-batch-100 trees "$BATCH_CONNECTIONS" "$BATCH"
run_wrk onnx-batch-100 trees-onnx "$BATCH_CONNECTIONS" "$BATCH"
LOGGED="$(curl -fsS "http://127.0.0.1:8014/metrics" | grep '^mlops_inference_log_records_total' || true)"
stop_platform

RAW="$RAW" LOGGED="$LOGGED" BENCH_NPROC="$(nproc)" BENCH_CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  DURATION="$DURATION" "$PY" - >"$OUT/onnx-serving.md" <<'EOF'
import json, os, platform, datetime
rows = [json.loads(line) for line in open(os.environ["RAW"])]
print("# Serving an exported tree model: our scorer against ONNX Runtime, through the gateway\n")
print("Command: `bash bench/run-onnx-serving.sh`\n")
print(f"- Recorded {datetime.date.today()} (issue #22). Machine: {os.environ['BENCH_NPROC']} CPUs (nproc), {os.environ['BENCH_CPU']}, {platform.system()} {platform.release()}.")
print("- One gbdt (100 trees of 31 leaves, 20 numeric features, binary) trained by the platform and served as `trees` by our scorer;")
print("  its exported ONNX file registered as `trees-onnx` (a model made elsewhere) and served by ONNX Runtime 1.32.")
print(f"- wrk on loopback through the gateway with a real token, {os.environ['DURATION']} a run after a warm-up; the inference log on;")
print("  access logs off, 1% of requests traced. `one`: one instance a request; `batch-100`: 100 instances a request.\n")
print("| implementation | connections | requests/s | instances/s | p50 ms | p99 ms | errors |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for r in rows:
    res = r["result"]
    per = 100 if "batch" in r["implementation"] else 1
    errors = res.get("non2xx", 0) + res.get("socketErrors", 0)
    print(f"| {r['implementation']} | {r['connections']} | {res['requestsPerSecond']:.0f} | {res['requestsPerSecond'] * per:.0f} | {res['p50Ms']:.2f} | {res['p99Ms']:.2f} | {errors} |")
print(f"\nInference log after the runs: `{os.environ['LOGGED'] or 'not read'}`")
EOF
cat "$OUT/onnx-serving.md" >&2
