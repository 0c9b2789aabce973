#!/usr/bin/env bash
# Tree learners, ours (bench/MlOps.Bench) against LightGBM through ML.NET (the harness's train-lightgbm, run with
# OMP_WAIT_POLICY=PASSIVE), XGBoost and scikit-learn (bench/peers/trees_train.py), on the seeded datasets of
# bench/peers/make_tree_datasets.py, all on the same THREADS threads. Writes bench/results/trees.md and
# bench/results/trees.jsonl.
# Usage: bash bench/run-trees.sh     (RUNS=3, THREADS=2 by default; implementations alternate within each run)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY=/usr/bin/python3
RUNS="${RUNS:-3}"
THREADS="${THREADS:-2}"
DATA=bench/data
OUT=bench/results
DLL=artifacts/bin/MlOps.Bench/release/MlOps.Bench.dll
mkdir -p "$OUT"

echo "== building the harness (Release)" >&2
dotnet build -c Release bench/MlOps.Bench -nologo -v quiet >&2
[[ -f "$DLL" ]] || { echo "expected $DLL after the build" >&2; exit 1; }

# name dataset target task algorithm params peers
CASES=(
  "gbdt-binary trees-binary-1m label binary gbdt rounds=100,numLeaves=31,learningRate=0.1,maxBins=255 lightgbm,xgboost,sklearn"
  "gbdt-regression trees-regression-1m value regression gbdt rounds=100,numLeaves=31,learningRate=0.1,maxBins=255 lightgbm,xgboost,sklearn"
  "gbdt-multiclass trees-multiclass-500k class multiclass gbdt rounds=100,numLeaves=31,learningRate=0.1,maxBins=255 lightgbm,xgboost,sklearn"
  "forest-binary trees-binary-1m label binary random-forest rounds=50,numLeaves=255 sklearn"
  "forest-regression trees-regression-1m value regression random-forest rounds=10,numLeaves=255 sklearn"
)

for spec in "${CASES[@]}"; do
  read -r _ dataset _ <<<"$spec"
  if [[ ! -f "$DATA/$dataset/train.csv" || ! -f "$DATA/$dataset/test.csv" ]]; then
    echo "== generating $dataset" >&2
    "$PY" bench/peers/make_tree_datasets.py --out "$DATA" --only "$dataset"
  fi
done

RAW="$(mktemp)"
COMMANDS="$(mktemp)"
trap 'rm -f "$RAW" "$COMMANDS"' EXIT

for run in $(seq 1 "$RUNS"); do
  for spec in "${CASES[@]}"; do
    read -r name dataset target task algorithm params peers <<<"$spec"
    args=(--train "$DATA/$dataset/train.csv" --test "$DATA/$dataset/test.csv" --target "$target" --task "$task"
          --algorithm "$algorithm" --threads "$THREADS")
    IFS=, read -r -a pairs <<<"$params"
    for pair in "${pairs[@]}"; do args+=(--param "$pair"); done
    IFS=, read -r -a libraries <<<"$peers"
    for impl in ours "${libraries[@]}"; do
      case $impl in
        ours) cmd=(dotnet "$DLL" train "${args[@]}") ;;
        lightgbm) cmd=(env OMP_WAIT_POLICY=PASSIVE dotnet "$DLL" train-lightgbm "${args[@]}") ;;
        *) cmd=("$PY" bench/peers/trees_train.py train --library "$impl" "${args[@]}") ;;
      esac
      [[ $run == 1 ]] && echo "${cmd[*]}" >>"$COMMANDS"
      echo "== run $run of $RUNS: $name, $impl" >&2
      line="$("${cmd[@]}")"
      printf '{"case":"%s","implementation":"%s","run":%d,"result":%s}\n' "$name" "$impl" "$run" "$line" >>"$RAW"
    done
  done
done

cp "$RAW" "$OUT/trees.jsonl"

export BENCH_NPROC="$(nproc)"
export BENCH_CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
export BENCH_DOTNET="$(dotnet --version)"
export BENCH_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"
export BENCH_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
export BENCH_RUNS="$RUNS"
export BENCH_THREADS="$THREADS"
export BENCH_COMMANDS="$COMMANDS"

"$PY" - "$OUT/trees.jsonl" "$OUT/trees.md" <<'PYEOF'
import json, os, platform, statistics, sys
import numpy, sklearn, xgboost

raw_path, md_path = sys.argv[1], sys.argv[2]
records = [json.loads(line) for line in open(raw_path)]
groups = {}
for r in records:
    groups.setdefault((r["case"], r["implementation"]), []).append(r["result"])

names = {"ours": "MlOps (C#)", "lightgbm": "LightGBM 4.6 (ML.NET 6)", "xgboost": f"XGBoost {xgboost.__version__} (hist, lossguide)",
         "sklearn": f"scikit-learn {sklearn.__version__}"}
summary = {}
for key, results in groups.items():
    ordered = sorted(results, key=lambda r: r["trainSeconds"])
    summary[key] = {"train": statistics.median(r["trainSeconds"] for r in results),
                    "score": statistics.median(r["scoreSeconds"] for r in results),
                    "all": [r["trainSeconds"] for r in results],
                    "run": ordered[(len(ordered) - 1) // 2]}

def f(x, digits=4):
    return "—" if x is None else f"{x:.{digits}f}"

cases = list(dict.fromkeys(r["case"] for r in records))
lines = [
    "# Tree learners: MlOps against LightGBM, XGBoost and scikit-learn",
    "",
    f"- Date: {os.environ['BENCH_DATE']}, commit {os.environ['BENCH_COMMIT']}",
    f"- Machine: {os.environ['BENCH_NPROC']} CPUs (nproc), {os.environ['BENCH_CPU']}, {platform.system()} {platform.release()}",
    f"- .NET SDK {os.environ['BENCH_DOTNET']}; Python {platform.python_version()} (/usr/bin/python3), XGBoost {xgboost.__version__}, "
    f"scikit-learn {sklearn.__version__}, numpy {numpy.__version__}",
    f"- Every implementation on {os.environ['BENCH_THREADS']} threads; {os.environ['BENCH_RUNS']} runs, implementations alternating "
    "within each run; train s and score s are medians, metrics come from the run with the median train time. Loading the CSV "
    "is not timed; train s includes quantizing the features on every side (our binning, XGBoost's quantile matrix, "
    "scikit-learn's binning), and ours includes the JIT compilation of a fresh process.",
    "",
    "| case | rows | implementation | train s | score s | rounds | AUC | accuracy | log-loss | RMSE | R² | all train s |",
    "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
]
for case in cases:
    for impl in ("ours", "lightgbm", "xgboost", "sklearn"):
        s = summary.get((case, impl))
        if not s:
            continue
        r, m = s["run"], s["run"]["metrics"]
        lines.append(f"| {case} | {r['rows']} | {names[impl]} | {f(s['train'], 2)} | {f(s['score'], 2)} | {r['iterations']} | "
                     f"{f(m.get('auc'), 5)} | {f(m.get('accuracy'), 5)} | {f(m.get('logLoss'), 5)} | {f(m.get('rmse'), 5)} | "
                     f"{f(m.get('r2'), 5)} | {', '.join(map(str, s['all']))} |")

lines += ["", "## Targets", "",
          "Gradient boosting (issue #23): at most 0.9× LightGBM's train time at an equal or better metric (within 0.002); "
          "also, as before, no slower than XGBoost's hist method at an equal metric. Forests: no slower than scikit-learn at "
          "an equal metric.", ""]

def verdict(case, peer, time_limit):
    o, p = summary.get((case, "ours")), summary.get((case, peer))
    if not o or not p:
        return None
    om, pm = o["run"]["metrics"], p["run"]["metrics"]
    task = o["run"]["task"]
    if case.startswith("forest"):
        key, limit = ("accuracy", 0.005) if task != "regression" else ("rmse", None)
    else:
        key, limit = ("auc", 0.002) if task == "binary" else ("logLoss", 0.002) if task == "multiclass" else ("rmse", 0.002)
    delta = om[key] - pm[key]
    ratio = o["train"] / p["train"]
    lower_is_better = key in ("rmse", "logLoss")
    ours_better = delta < 0 if lower_is_better else delta > 0
    # Equal within the limit, or better.
    metric_met = limit is None or abs(delta) <= limit or ours_better
    verdict_time = "met" if ratio <= time_limit else "NOT met"
    verdict_metric = "" if limit is None else (" → met" if metric_met else " → NOT met (ours worse)")
    return (f"- {case}: train time ours / {names[peer]} = {o['train']:.2f} s / {p['train']:.2f} s = {ratio:.2f} "
            f"(target ≤ {time_limit:g}) → {verdict_time}; {key} ours − theirs = {delta:+.5f}"
            + ("" if limit is None else f" (equal within ±{limit} or better)") + verdict_metric)

for case in cases:
    peers = [("lightgbm", 0.9), ("xgboost", 1.0)] if case.startswith("gbdt") else [("sklearn", 1.0)]
    for peer, time_limit in peers:
        line = verdict(case, peer, time_limit)
        if line:
            lines.append(line)

lines += ["", "## Notes", "",
          "- Multiclass log-loss: ours (and scikit-learn's) is lower than XGBoost's by about 0.009 because XGBoost's softmax "
          "objective doubles every hessian (h = 2p(1 − p), src/objective/multiclass_obj), halving each Newton step, so 100 rounds "
          "at learning rate 0.1 leave it less converged. Ours uses p(1 − p), as scikit-learn does (their log-losses differ by "
          "0.0004). XGBoost given learning rate 0.2 and λ 0.5, the same steps as ours, is the check recorded beside this file "
          "(`trees-xgboost-multiclass-same-steps.json`: log-loss 0.97775 against our 0.97788 on 2026-11-30).",
          "- The forests' peer imputes missing values with the column mean first (scikit-learn 1.2's forests refuse NaN); "
          "ours sends missing values down the learned side. Forest rounds are trees: 50 (binary), 10 (regression), 255 leaves.",
          "- scikit-learn's HistGradientBoosting is shown for reference.",
          "- Regression: LightGBM's test RMSE is about 0.006 lower than ours, XGBoost's and scikit-learn's, which agree with "
          "one another to 0.001. Part of it is λ: through ML.NET LightGBM's L2 is 0.01 where ours and XGBoost's is 1; at "
          "λ = 1 LightGBM scores 1.11120 and ours at λ = 0 scores 1.11057 (checked by hand on 2026-12-07). The remaining "
          "0.003 we have not explained.",
          "- LightGBM's train s includes ML.NET passing the rows to LightGBM (an in-memory IDataView of float vectors), as ours "
          "includes making its feature columns; OMP_WAIT_POLICY=PASSIVE is set for it, without which it runs about three "
          "times slower on 2 cores."]
lines += ["", "## Commands", "", "```", "bash bench/run-trees.sh", ""]
lines += [c.rstrip("\n") for c in open(os.environ["BENCH_COMMANDS"])]
lines += ["```", "", "Raw JSON lines (one per run): `bench/results/trees.jsonl`.", ""]
open(md_path, "w").write("\n".join(lines))
print("\n".join(lines))
PYEOF
