#!/usr/bin/env bash
# Text-only, image-only and multimodal models on one product catalogue (MlOps.Bench multimodal): the product-catalog
# generator's archive (seed 1 to train, seed 2 held out), pictures encoded by ResNet18 as a training job encodes them,
# then each algorithm trained on the text alone, the pictures alone, both, and both with the price. Writes
# bench/results/multimodal.md and multimodal.jsonl. Embeddings are kept in bench/data/embeddings between runs.
# Usage: bash bench/run-multimodal.sh     (ROWS=2000, TEST_ROWS=1000, ALGORITHMS="logistic-regression gbdt" by default)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ROWS="${ROWS:-2000}"
TEST_ROWS="${TEST_ROWS:-1000}"
ALGORITHMS="${ALGORITHMS:-logistic-regression gbdt}"
OUT=bench/results
DLL=artifacts/bin/MlOps.Bench/release/MlOps.Bench.dll
mkdir -p "$OUT" bench/data/embeddings

echo "== building the harness (Release)" >&2
dotnet build -c Release bench/MlOps.Bench -nologo -v quiet >&2
RAW="$(mktemp)"
trap 'rm -f "$RAW"' EXIT
for algorithm in $ALGORITHMS; do
  echo "== $algorithm" >&2
  dotnet "$DLL" multimodal --rows "$ROWS" --test-rows "$TEST_ROWS" --algorithm "$algorithm" --cache bench/data/embeddings >>"$RAW"
done
cp "$RAW" "$OUT/multimodal.jsonl"

export BENCH_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')" BENCH_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
export BENCH_NPROC="$(nproc)" BENCH_CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
/usr/bin/python3 - "$OUT/multimodal.jsonl" "$OUT/multimodal.md" <<'PYEOF'
import json, os, sys
records = [json.loads(line) for line in open(sys.argv[1])]
e = os.environ
first = records[0]
lines = ["# Multimodal product classification: text, pictures, both", "",
         f"- Date: {e['BENCH_DATE']}, commit {e['BENCH_COMMIT']}; {e['BENCH_NPROC']} CPUs, {e['BENCH_CPU']}",
         f"- `product-catalog` (8 categories, overlap 0.5): {first['trainRows']} training rows (seed 1), {first['testRows']} held out (seed 2); "
         "pictures encoded by ResNet18 (512 floats, `ImageEmbedder`, as a training job encodes them); each algorithm with the catalogue's "
         "default hyperparameters on each feature set; metrics on the held-out rows. `bash bench/run-multimodal.sh`.", "",
         "| algorithm | features | accuracy | macro-F1 | train s |", "|---|---|---:|---:|---:|"]
for r in records:
    lines.append(f"| {r['algorithm']} | {r['features']} | {r['accuracy']:.3f} | {r['macroF1']:.3f} | {r['trainSeconds']:.1f} |")
lines += ["", "## Targets", ""]
for algorithm in dict.fromkeys(r["algorithm"] for r in records):
    f1 = {r["features"]: r["macroF1"] for r in records if r["algorithm"] == algorithm}
    best_single = max(f1["text"], f1["image"])
    verdict = "met" if f1["text+image"] > best_single else "NOT met"
    lines.append(f"- {algorithm}: text and pictures together {f1['text+image']:.3f} macro-F1 against {f1['text']:.3f} (text) and "
                 f"{f1['image']:.3f} (pictures): {verdict} (multimodal beats both).")
lines += ["", "## Notes", "",
          "- The picture features are standardized and divided by √512 (`ImageFeaturizer`) so one L2 penalty suits text and pictures; "
          "with standardization alone, logistic regression on text and pictures scored 0.442 macro-F1, below text alone (0.557): "
          "the 512 dense features outweighed the text and overfit (measured before the change, same data).",
          "- Encoding time is the first run's; later runs read `bench/data/embeddings`."]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PYEOF
cat "$OUT/multimodal.md"
