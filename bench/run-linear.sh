#!/usr/bin/env bash
# Linear learners, ours (bench/MlOps.Bench) against scikit-learn (bench/peers/sklearn_train.py), on the
# seeded datasets of bench/peers/make_datasets.py. Writes bench/results/linear.md and bench/results/linear.jsonl.
# Usage: bash bench/run-linear.sh        (RUNS=3 by default; each implementation runs RUNS times, alternating)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY=/usr/bin/python3
RUNS="${RUNS:-3}"
DATA=bench/data
OUT=bench/results
DLL=artifacts/bin/MlOps.Bench/release/MlOps.Bench.dll
mkdir -p "$OUT"

echo "== building the harness (Release)" >&2
dotnet build -c Release bench/MlOps.Bench -nologo -v quiet >&2
[[ -f "$DLL" ]] || { echo "expected $DLL after the build" >&2; exit 1; }

# name target algorithm task
DATASETS=(
  "binary-100k label logistic-regression binary"
  "binary-mixed-20k churned logistic-regression binary"
  "multiclass-30k species logistic-regression multiclass"
  "regression-50k price linear-regression regression"
)

for spec in "${DATASETS[@]}"; do
  read -r name _ <<<"$spec"
  if [[ ! -f "$DATA/$name/train.csv" || ! -f "$DATA/$name/test.csv" ]]; then
    echo "== generating $name" >&2
    "$PY" bench/peers/make_datasets.py --out "$DATA" --only "$name"
  fi
done

RAW="$(mktemp)"
COMMANDS="$(mktemp)"
trap 'rm -f "$RAW" "$COMMANDS"' EXIT

for spec in "${DATASETS[@]}"; do
  read -r name target algorithm task <<<"$spec"
  args=(train --train "$DATA/$name/train.csv" --test "$DATA/$name/test.csv" --target "$target"
        --algorithm "$algorithm" --task "$task")
  ours=(dotnet "$DLL" "${args[@]}")
  peer=("$PY" bench/peers/sklearn_train.py "${args[@]}")
  printf '%s\n%s\n' "${ours[*]}" "${peer[*]}" >>"$COMMANDS"
  for run in $(seq 1 "$RUNS"); do
    for impl in ours peer; do
      echo "== $name: $impl, run $run of $RUNS" >&2
      if [[ $impl == ours ]]; then line="$("${ours[@]}")"; else line="$("${peer[@]}")"; fi
      printf '{"dataset":"%s","implementation":"%s","run":%d,"result":%s}\n' "$name" "$impl" "$run" "$line" >>"$RAW"
    done
  done
done

cp "$RAW" "$OUT/linear.jsonl"

# Machine and software, for the report header.
export BENCH_NPROC="$(nproc)"
export BENCH_CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
export BENCH_DOTNET="$(dotnet --version)"
export BENCH_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"
export BENCH_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
export BENCH_BLAS="$(readlink -f "/etc/alternatives/libblas.so.3-$(uname -m)-linux-gnu" 2>/dev/null || echo unknown)"
export BENCH_THREADS="OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset} MKL_NUM_THREADS=${MKL_NUM_THREADS:-unset} DOTNET_PROCESSOR_COUNT=${DOTNET_PROCESSOR_COUNT:-unset}"
export BENCH_RUNS="$RUNS"
export BENCH_COMMANDS="$COMMANDS"

"$PY" - "$OUT/linear.jsonl" "$OUT/linear.md" <<'PYEOF'
import json, os, platform, statistics, sys
import numpy, scipy, sklearn, threadpoolctl
import sklearn.linear_model  # loads the BLAS/OpenMP libraries threadpoolctl reports

raw_path, md_path = sys.argv[1], sys.argv[2]
records = [json.loads(line) for line in open(raw_path)]
groups = {}
for r in records:
    groups.setdefault((r["dataset"], r["implementation"]), []).append(r["result"])

names = {"ours": "MlOps (C#)", "peer": f"scikit-learn {sklearn.__version__}"}
summary = {}
for key, results in groups.items():
    ordered = sorted(results, key=lambda r: r["trainSeconds"])
    median_run = ordered[(len(ordered) - 1) // 2]  # the run with the median train time (lower median if even)
    summary[key] = {
        "train": statistics.median(r["trainSeconds"] for r in results),
        "score": statistics.median(r["scoreSeconds"] for r in results),
        "trainAll": [r["trainSeconds"] for r in results],
        "run": median_run,
    }

def f(x, digits=4):
    return "—" if x is None else f"{x:.{digits}f}"

pools = "; ".join(f"{p['internal_api']} {p.get('version') or ''} {p['num_threads']} threads ({os.path.basename(p['filepath'])})"
                  for p in threadpoolctl.threadpool_info())
lines = [
    "# Linear learners: MlOps vs scikit-learn",
    "",
    f"- Date: {os.environ['BENCH_DATE']}, commit {os.environ['BENCH_COMMIT']}",
    f"- Machine: {os.environ['BENCH_NPROC']} CPUs (nproc), {os.environ['BENCH_CPU']}, {platform.system()} {platform.release()}",
    f"- .NET SDK {os.environ['BENCH_DOTNET']}; Python {platform.python_version()} (/usr/bin/python3), scikit-learn {sklearn.__version__}, "
    f"numpy {numpy.__version__}, scipy {scipy.__version__}",
    f"- BLAS: {os.environ['BENCH_BLAS']}; threadpoolctl: {pools or 'none detected'}",
    f"- Thread settings: {os.environ['BENCH_THREADS']}",
    f"- Each implementation ran {os.environ['BENCH_RUNS']} times per dataset, alternating (ours, peer, ours, …); "
    "train s and score s are medians, metrics come from the run with the median train time. "
    "Times exclude CSV loading; both are fresh processes, so ours includes JIT compilation.",
    "",
    "## Classification",
    "",
    "| dataset | rows | features | implementation | train s | score s | iterations | AUC | accuracy | log-loss | F1 |",
    "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
]
datasets = list(dict.fromkeys(r["dataset"] for r in records))
for ds in datasets:
    for impl in ("ours", "peer"):
        s = summary.get((ds, impl))
        if not s or s["run"]["task"] == "regression":
            continue
        r, m = s["run"], s["run"]["metrics"]
        lines.append(f"| {ds} | {r['rows']} | {r['features']} | {names[impl]} | {f(s['train'], 3)} | {f(s['score'], 3)} | "
                     f"{r['iterations']} | {f(m.get('auc'), 6)} | {f(m.get('accuracy'), 6)} | {f(m.get('logLoss'), 6)} | {f(m.get('f1'), 6)} |")
lines += ["", "## Regression", "",
          "| dataset | rows | features | implementation | train s | score s | RMSE | MAE | R² |",
          "|---|---:|---:|---|---:|---:|---:|---:|---:|"]
for ds in datasets:
    for impl in ("ours", "peer"):
        s = summary.get((ds, impl))
        if not s or s["run"]["task"] != "regression":
            continue
        r, m = s["run"], s["run"]["metrics"]
        lines.append(f"| {ds} | {r['rows']} | {r['features']} | {names[impl]} | {f(s['train'], 3)} | {f(s['score'], 3)} | "
                     f"{f(m['rmse'], 6)} | {f(m['mae'], 6)} | {f(m['r2'], 6)} |")

lines += ["", "## Ours against scikit-learn", "",
          "| dataset | train time ratio (ours / sklearn) | test log-loss (or RMSE) delta, ours − sklearn | all train s, ours | all train s, sklearn |",
          "|---|---:|---:|---|---|"]
for ds in datasets:
    o, p = summary.get((ds, "ours")), summary.get((ds, "peer"))
    if not o or not p:
        continue
    key = "rmse" if o["run"]["task"] == "regression" else "logLoss"
    delta = o["run"]["metrics"][key] - p["run"]["metrics"][key]
    lines.append(f"| {ds} | {o['train'] / p['train']:.2f} | {key} {delta:+.2e} | "
                 f"{', '.join(map(str, o['trainAll']))} | {', '.join(map(str, p['trainAll']))} |")

o, p = summary.get(("binary-100k", "ours")), summary.get(("binary-100k", "peer"))
if o and p:
    delta = abs(o["run"]["metrics"]["logLoss"] - p["run"]["metrics"]["logLoss"])
    ratio = o["train"] / p["train"]
    lines += ["", "## Acceptance targets (binary-100k)", "",
              f"- Test log-loss within 0.001 of scikit-learn's: |Δ| = {delta:.2e} → {'met' if delta <= 0.001 else 'NOT met'}",
              f"- Trains in no more time than scikit-learn's lbfgs: median {o['train']:.3f} s vs {p['train']:.3f} s "
              f"(ratio {ratio:.2f}) → {'met' if ratio <= 1.0 else 'NOT met'}"]

lines += ["", "## Commands", "", "```", "bash bench/run-linear.sh", ""]
lines += [c.rstrip("\n") for c in open(os.environ["BENCH_COMMANDS"])]
lines += ["```", "", "Raw JSON lines (one per run, wrapped with dataset, implementation and run number): `bench/results/linear.jsonl`.", ""]
open(md_path, "w").write("\n".join(lines))
print("\n".join(lines))
PYEOF
