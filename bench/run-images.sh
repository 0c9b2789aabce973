#!/usr/bin/env bash
# Image embedding, ours (MlOps.Bench embed-images: ResNet18 from Microsoft.ML.DnnImageFeaturizer.ResNet18 through ONNX
# Runtime) against the same ResNet18 architecture in PyTorch on CPU (bench/peers/images_torch.py, Debian's python3-torch
# and python3-torchvision, random weights: speed only), over the same seeded JPEGs, decoding and resizing included,
# one at a time and in batches, on the same THREADS threads. Writes bench/results/images.md and images.jsonl.
# Usage: bash bench/run-images.sh     (RUNS=3, THREADS=2, COUNT=128, BATCH=16 by default; implementations alternate)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY=/usr/bin/python3
RUNS="${RUNS:-3}"
THREADS="${THREADS:-2}"
COUNT="${COUNT:-128}"
BATCH="${BATCH:-16}"
IMAGES=bench/data/images-320x240-$COUNT
OUT=bench/results
DLL=artifacts/bin/MlOps.Bench/release/MlOps.Bench.dll
mkdir -p "$OUT"

"$PY" -c "import torch, torchvision, PIL" 2>/dev/null || { echo "needs python3-torch and python3-torchvision (apt-get install)" >&2; exit 1; }
echo "== building the harness (Release)" >&2
dotnet build -c Release bench/MlOps.Bench -nologo -v quiet >&2
[[ -d "$IMAGES" ]] || dotnet "$DLL" draw-images --count "$COUNT" --width 320 --height 240 --seed 1 --out "$IMAGES"

RAW="$(mktemp)"
trap 'rm -f "$RAW"' EXIT
for run in $(seq 1 "$RUNS"); do
  for impl in ours pytorch; do
    echo "== run $run of $RUNS: $impl" >&2
    case $impl in
      ours) line="$(dotnet "$DLL" embed-images --images "$IMAGES" --batch "$BATCH" --threads "$THREADS")" ;;
      pytorch) line="$("$PY" bench/peers/images_torch.py --images "$IMAGES" --batch "$BATCH" --threads "$THREADS")" ;;
    esac
    printf '{"run":%d,"result":%s}\n' "$run" "$line" >>"$RAW"
  done
done
cp "$RAW" "$OUT/images.jsonl"

export BENCH_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')" BENCH_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
export BENCH_NPROC="$(nproc)" BENCH_CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
export BENCH_RUNS="$RUNS" BENCH_THREADS="$THREADS" BENCH_COUNT="$COUNT" BENCH_BATCH="$BATCH"
"$PY" - "$OUT/images.jsonl" "$OUT/images.md" <<'PYEOF'
import json, os, statistics, sys
records = [json.loads(line) for line in open(sys.argv[1])]
by = {}
for r in records:
    by.setdefault(r["result"]["implementation"], []).append(r["result"])
def median(impl, key):
    return statistics.median(r[key] for r in by[impl])
torch_version = by["pytorch"][0]["torch"]
names = {"ours": "MlOps (ONNX Runtime 1.32, C#)", "pytorch": f"PyTorch {torch_version} (torchvision resnet18)"}
e = os.environ
lines = ["# Image embedding: ResNet18, ours against PyTorch on CPU", "",
         f"- Date: {e['BENCH_DATE']}, commit {e['BENCH_COMMIT']}; {e['BENCH_NPROC']} CPUs, {e['BENCH_CPU']}",
         f"- {e['BENCH_COUNT']} seeded 320×240 JPEGs (`MlOps.Bench draw-images`), each decoded, its shorter side scaled to 224, "
         f"centre-cropped, normalized and embedded (512 floats); {e['BENCH_THREADS']} threads each; {e['BENCH_RUNS']} runs, "
         "implementations alternating; medians. Batched: runs of "
         f"{e['BENCH_BATCH']} images. PyTorch's weights are random (speed only); the architecture is the same.", "",
         "| implementation | one at a time (images/s) | batched (images/s) | all runs, one at a time | all runs, batched |",
         "|---|---:|---:|---|---|"]
for impl in ("ours", "pytorch"):
    lines.append(f"| {names[impl]} | {median(impl, 'oneAtATimePerSecond'):.1f} | {median(impl, 'batchedPerSecond'):.1f} | "
                 f"{', '.join(str(r['oneAtATimePerSecond']) for r in by[impl])} | {', '.join(str(r['batchedPerSecond']) for r in by[impl])} |")
lines += ["", "## Target", "", "Faster than PyTorch per image (issue #24):", ""]
for key, label in (("oneAtATimePerSecond", "one at a time"), ("batchedPerSecond", "batched")):
    ours, theirs = median("ours", key), median("pytorch", key)
    lines.append(f"- {label}: ours / PyTorch = {ours:.1f} / {theirs:.1f} = {ours / theirs:.2f}× → {'met' if ours > theirs else 'NOT met'}")
lines += ["", "## Commands", "", "```", "bash bench/run-images.sh", "```", "",
          "Raw JSON lines (one per run): `bench/results/images.jsonl`.", ""]
open(sys.argv[2], "w").write("\n".join(lines))
print("\n".join(lines))
PYEOF
