#!/usr/bin/env bash
# Trees on text: gradient boosting on hashed n-grams (the most frequent 500 and 2,000 buckets) against the platform's
# logistic regression, on 100,000 generated product reviews (3 sentiments) and 20,000 for testing, 2 threads.
# Writes bench/results/trees-text.md and bench/results/trees-text.jsonl.
# Usage: bash bench/run-trees-text.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DATA=bench/data/reviews-100k
OUT=bench/results
DLL=artifacts/bin/MlOps.Bench/release/MlOps.Bench.dll
mkdir -p "$DATA" "$OUT"

echo "== building the harness (Release)" >&2
dotnet build -c Release bench/MlOps.Bench -nologo -v quiet >&2
[[ -f "$DATA/train.csv" ]] || dotnet "$DLL" generate --generator review-sentiment --rows 100000 --seed 1 --out "$DATA/train.csv"
[[ -f "$DATA/test.csv" ]] || dotnet "$DLL" generate --generator review-sentiment --rows 20000 --seed 2 --out "$DATA/test.csv"

RAW="$(mktemp)"
trap 'rm -f "$RAW"' EXIT
common=(train --train "$DATA/train.csv" --test "$DATA/test.csv" --target sentiment --task multiclass)
for spec in "gbdt 500" "gbdt 2000" "logistic-regression -"; do
  read -r algorithm buckets <<<"$spec"
  args=("${common[@]}" --algorithm "$algorithm")
  if [[ $algorithm == gbdt ]]; then args+=(--threads 2 --param rounds=100 --param "maxTextFeatures=$buckets"); fi
  echo "== $algorithm $buckets" >&2
  printf '{"command":"dotnet %s %s","result":%s}\n' "$DLL" "${args[*]}" "$(dotnet "$DLL" "${args[@]}")" >>"$RAW"
done
cp "$RAW" "$OUT/trees-text.jsonl"

/usr/bin/python3 - "$OUT/trees-text.jsonl" "$OUT/trees-text.md" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(git rev-parse --short HEAD)" <<'PYEOF'
import json, sys
raw, md, date, commit = sys.argv[1:]
lines = ["# Trees on text: hashed n-grams as sparse features", "",
         f"- Date: {date}, commit {commit}; 2 cores (AMD EPYC). `bash bench/run-trees-text.sh`.",
         "- 100,000 generated product reviews (`review-sentiment`: one text column, 3 sentiments), 20,000 more to test.",
         "- gbdt: 100 rounds (300 trees, one a class a round), 31 leaves, the most frequent hashed buckets (of 2^16) as "
         "sparse features; logistic regression on every bucket (L-BFGS). Train s covers featurizing (hashing) and fitting.",
         "", "| learner | text buckets | train s | test accuracy | test log-loss | macro F1 |", "|---|---:|---:|---:|---:|---:|"]
for line in open(raw):
    r = json.loads(line)
    res, cmd = r["result"], r["command"]
    buckets = cmd.split("maxTextFeatures=")[1].split()[0] if "maxTextFeatures=" in cmd else "65,536 (all)"
    m = res["metrics"]
    lines.append(f"| {res['algorithm']} | {buckets} | {res['trainSeconds']:.2f} | {m['accuracy']:.4f} | {m['logLoss']:.4f} | {m['f1']:.4f} |")
lines += ["", "Commands:", "", "```"] + [json.loads(l)["command"] for l in open(raw)] + ["```", ""]
open(md, "w").write("\n".join(lines))
print("\n".join(lines))
PYEOF
