#!/usr/bin/env bash
# Drift check, ours against an Evidently-style SciPy computation, side by side in one run (bench/README.md, "Drift").
#   ours: the whole platform run by the AppHost (Release); a 20-feature model trained on 20,000 rows of bench/drift/wide.py;
#         1,000,000 predictions with six drifted features served and logged; then GET /api/monitoring/wide/drift?last=
#         through the gateway with a real token, end to end (registry, serving's export of every logged prediction,
#         the tests, the stored report);
#   peer: bench/peers/drift_scipy.py, the tests Evidently picks by default, with NumPy and SciPy, over the same rows
#         already in memory.
# Writes bench/results/drift.md and bench/results/drift.jsonl.
# Usage: bash bench/run-drift.sh      (ROWS=1000000 RUNS=3 by default; about 5 minutes). Needs python3-numpy,
# python3-scipy, and the platform's ports free (stop a running platform first).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-3}"
OUT=bench/results
WORK="$(mktemp -d /tmp/mlops-drift-bench-XXXXXX)"
chmod 755 "$WORK" # run as root, PostgreSQL runs as the postgres user, which must reach its data folder
GATEWAY=http://127.0.0.1:8000
mkdir -p "$OUT"

# shellcheck source=bench/platform.sh
source bench/platform.sh
clean_up_on_exit

build_platform
start_platform 'Logging__LogLevel__MlOps.Requests=Warning'
AUTH="Authorization: Bearer $(token)"

echo "== 20,000 training rows, uploaded and trained on" >&2
"$PY" bench/drift/wide.py csv --rows 20000 --seed 1 >"$WORK/train.csv"
curl -fsS -H "$AUTH" -H 'Content-Type: text/csv' --data-binary @"$WORK/train.csv" "$GATEWAY/api/datasets/wide/versions" >/dev/null
train '{"dataset":"wide","target":"y","algorithm":"logistic-regression","model":"wide","promote":"always"}'

echo "== $ROWS predictions (f01..f05 shifted by one standard deviation, c01 reweighted), in batches of 1,000" >&2
SEND_STARTED=$(date +%s.%N)
"$PY" bench/drift/wide.py send --rows "$ROWS" --seed 2 --drift --url "$GATEWAY/api/predict/wide" --token "$(token)"
SEND_SECONDS=$(echo "$(date +%s.%N) - $SEND_STARTED" | bc)
# Wait for the inference log to hold them all, then refresh the table's statistics: right after a burst of inserts
# autovacuum has not analyzed the new rows yet, and PostgreSQL would sort each export page instead of reading its index.
LOGGED=0
for _ in $(seq 1 120); do
  LOGGED="$(curl -fsS http://127.0.0.1:8014/metrics | awk '/^mlops_inference_log_records_total\{state="logged"\}/ {print $2}')"
  [[ "${LOGGED%.*}" -ge "$ROWS" ]] && break
  sleep 1
done
[[ "${LOGGED%.*}" -ge "$ROWS" ]] || { echo "the inference log holds ${LOGGED} of $ROWS predictions after 2 minutes" >&2; exit 1; }
su postgres -c "psql -h 127.0.0.1 -p 54320 -d mlopsdb -qc 'ANALYZE serving.inference_log'" >&2

echo "== ours: GET /api/monitoring/wide/drift?last=$ROWS, once to warm up, then $RUNS times" >&2
AUTH="Authorization: Bearer $(token)"
curl -fsS -o /dev/null -H "$AUTH" "$GATEWAY/api/monitoring/wide/drift?last=$ROWS"
OURS=()
for _ in $(seq 1 "$RUNS"); do
  OURS+=("$(curl -fsS -o "$WORK/report.json" -w '%{time_total}' -H "$AUTH" "$GATEWAY/api/monitoring/wide/drift?last=$ROWS")")
done

echo "== peer: Evidently-style SciPy over the same rows, $RUNS times" >&2
"$PY" bench/peers/drift_scipy.py --train "$WORK/train.csv" --rows "$ROWS" --seed 2 --drift --runs "$RUNS" >"$WORK/peer.json"

"$PY" - "$WORK/report.json" "$WORK/peer.json" "$OUT" "$ROWS" "$SEND_SECONDS" "${OURS[@]}" <<'PYEOF'
import json, platform, statistics, subprocess, sys
report_path, peer_path, out, rows, send_seconds, *ours = sys.argv[1:]
report, peer = json.load(open(report_path)), json.load(open(peer_path))
ours = [float(s) for s in ours]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
scipy = subprocess.run(["/usr/bin/python3", "-c", "import scipy, numpy; print(f'SciPy {scipy.__version__}, NumPy {numpy.__version__}')"], capture_output=True, text=True).stdout.strip()
ours_drifted = sorted(f["feature"] for f in report["features"] if f["drifted"])
record = {"rows": int(rows), "oursSeconds": ours, "peerSeconds": peer["runs"], "sendSeconds": float(send_seconds),
          "oursDrifted": ours_drifted, "peerDrifted": peer["drifted"], "predictions": report["predictions"]}
open(f"{out}/drift.jsonl", "w").write(json.dumps(record) + "\n")
lines = [
    "# Drift check: ours against Evidently-style SciPy",
    "",
    f"Written by `bench/run-drift.sh`; machine: {cores} cores ({cpu}). A logistic regression on 20 features (14 numeric, 6",
    f"categorical) trained on 20,000 rows of `bench/drift/wide.py`; {int(rows):,} predictions with f01..f05 shifted by one",
    f"standard deviation and c01 reweighted, served and logged through the gateway in {float(send_seconds):.1f} s (batches of 1,000).",
    "",
    "Ours: `GET /api/monitoring/wide/drift?last=N` through the gateway, end to end (the registry's reference profile,",
    "serving's export of every logged prediction, the tests, the stored report), after one warm-up call.",
    f"Peer: {scipy}, the tests Evidently picks by default over the same rows already in memory (`bench/peers/drift_scipy.py`).",
    "",
    "| | median s | runs s | drifted features |",
    "| --- | ---: | --- | --- |",
    f"| ours | **{statistics.median(ours):.2f}** | {', '.join(f'{s:.2f}' for s in ours)} | {', '.join(ours_drifted)} |",
    f"| peer | **{statistics.median(peer['runs']):.2f}** | {', '.join(f'{s:.2f}' for s in peer['runs'])} | {', '.join(peer['drifted'])} |",
    "",
    "Each feature's test and score (ours compares with the 2,000-value reference sample the registry keeps; the peer with",
    "all 20,000 training rows):",
    "",
    "| feature | ours test | ours score | peer test | peer score |",
    "| --- | --- | ---: | --- | ---: |",
]
for f in sorted(report["features"], key=lambda f: f["feature"]):
    p = peer["features"][f["feature"]]
    score = f["pValue"] if f["pValue"] is not None else f["statistic"]
    lines.append(f"| {f['feature']} | {f['test']} | {score:.4f} | {p['test']} | {p['score']:.4f} |")
lines.append("")
open(f"{out}/drift.md", "w").write("\n".join(lines))
print("\n".join(lines))
PYEOF
