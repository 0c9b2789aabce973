#!/usr/bin/env bash
# One picture through the gateway: the whole platform run by the AppHost (Release), a product-catalog model trained on
# its titles, descriptions, photos and prices, then COUNT prediction requests one after another, each with a different
# photo of a held-out catalogue (so no request is helped by an earlier one), as base64 JSON and as a multipart file.
# Latency is curl's time_total on loopback, with a real token; the server's own share is read from /metrics
# (mlops_image_encoding_duration_seconds, over the timed requests). Writes bench/results/image-serving.md and image-serving.jsonl.
# Usage: bash bench/run-image-serving.sh   (COUNT=200 by default). Needs the platform's ports free (stop a running one).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
COUNT="${COUNT:-200}"
OUT=bench/results
WORK="$(mktemp -d /tmp/mlops-image-serving-XXXXXX)"
chmod 755 "$WORK"
GATEWAY=http://127.0.0.1:8000
mkdir -p "$OUT"

# shellcheck source=bench/platform.sh
source bench/platform.sh
clean_up_on_exit

build_platform
start_platform 'Logging__LogLevel__MlOps.Requests=Warning'
AUTH="Authorization: Bearer $(token)"
curl -fsS -H "$AUTH" -H 'Content-Type: application/json' -d '{"generator":"product-catalog","rows":1000,"seed":1}' \
  "$GATEWAY/api/datasets/catalog/versions/generate" >/dev/null
train '{"dataset":"catalog","target":"category","algorithm":"logistic-regression","model":"catalog","promote":"always"}'
curl -fsS -H "$AUTH" -H 'Content-Type: application/json' -d "{\"generator\":\"product-catalog\",\"rows\":$COUNT,\"seed\":2}" \
  "$GATEWAY/api/datasets/held-out/versions/generate" >/dev/null
curl -fsS -H "$AUTH" "$GATEWAY/api/datasets/held-out/versions/latest/content" -o "$WORK/held-out.zip"
mkdir -p "$WORK/held-out" && (cd "$WORK/held-out" && unzip -q ../held-out.zip)

echo "== $COUNT requests as base64 JSON, then $COUNT as multipart" >&2
AUTH="Authorization: Bearer $(token)"
RAW="$OUT/image-serving.jsonl"
: >"$RAW"
"$PY" - "$WORK/held-out" "$COUNT" <<'PYEOF' >"$WORK/requests.tsv"
import base64, csv, json, os, sys
root, count = sys.argv[1], int(sys.argv[2])
rows = list(csv.DictReader(open(os.path.join(root, "catalog.csv"))))[:count]
for i, row in enumerate(rows):
    body = {"title": row["title"], "description": row["description"], "price": float(row["price"]),
            "image": {"b64": base64.b64encode(open(os.path.join(root, row["image"]), "rb").read()).decode()}}
    path = os.path.join(root, f"body-{i}.json")
    json.dump(body, open(path, "w"))
    print("\t".join([path, os.path.join(root, row["image"]), row["title"], row["description"], row["price"]]))
PYEOF
encoding() { curl -fsS http://127.0.0.1:8014/metrics | grep -E '^mlops_image_encoding_duration_seconds_(sum|count)' | awk '{print $NF}' | paste -sd' '; }
# A warm-up, untimed: the first request loads the model and the encoder, and .NET compiles the hot code again under load.
head -n 20 "$WORK/requests.tsv" | while IFS=$'\t' read -r body image title description price; do
  curl -fsS -o /dev/null -H "$AUTH" -H 'Content-Type: application/json' -d "@$body" "$GATEWAY/api/predict/catalog"
  curl -fsS -o /dev/null -H "$AUTH" -F "image=@$image" -F "title=$title" -F "description=$description" -F "price=$price" "$GATEWAY/api/predict/catalog"
done
BEFORE="$(encoding)"
while IFS=$'\t' read -r body image title description price; do
  t="$(curl -fsS -o /dev/null -w '%{time_total}' -H "$AUTH" -H 'Content-Type: application/json' -d "@$body" "$GATEWAY/api/predict/catalog")"
  printf '{"form":"json","seconds":%s}\n' "$t" >>"$RAW"
done <"$WORK/requests.tsv"
while IFS=$'\t' read -r body image title description price; do
  t="$(curl -fsS -o /dev/null -w '%{time_total}' -H "$AUTH" -F "image=@$image" -F "title=$title" -F "description=$description" -F "price=$price" "$GATEWAY/api/predict/catalog")"
  printf '{"form":"multipart","seconds":%s}\n' "$t" >>"$RAW"
done <"$WORK/requests.tsv"
ENCODING="$BEFORE $(encoding)"

export BENCH_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')" BENCH_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
export BENCH_NPROC="$(nproc)" BENCH_CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" BENCH_ENCODING="$ENCODING" BENCH_COUNT="$COUNT"
"$PY" - "$RAW" "$OUT/image-serving.md" <<'PYEOF'
import json, os, sys
records = [json.loads(line) for line in open(sys.argv[1])]
e = os.environ
def quantile(values, q):
    values = sorted(values)
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)
lines = ["# One picture through the gateway", "",
         f"- Date: {e['BENCH_DATE']}, commit {e['BENCH_COMMIT']}; {e['BENCH_NPROC']} CPUs, {e['BENCH_CPU']}",
         f"- The platform (AppHost, Release) on loopback; a `product-catalog` logistic regression (1,000 rows: text, photos, price); "
         f"{e['BENCH_COUNT']} requests one after another, each with a different held-out 128×128 PNG, first as base64 JSON, then as "
         "a multipart file; curl's `time_total` with a real token. `bash bench/run-image-serving.sh`.", "",
         "| form | requests | p50 ms | p90 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|"]
for form in ("json", "multipart"):
    ms = [r["seconds"] * 1000 for r in records if r["form"] == form]
    lines.append(f"| {form} | {len(ms)} | {quantile(ms, .5):.1f} | {quantile(ms, .9):.1f} | {quantile(ms, .99):.1f} | {max(ms):.1f} |")
parts = [float(p) for p in e["BENCH_ENCODING"].split()]
if len(parts) == 4:
    total, count = parts[2] - parts[0], parts[3] - parts[1]
    lines += ["", f"Decoding and encoding a picture in the server took {1000 * total / count:.1f} ms on average over the timed "
              f"{int(count)} requests (`mlops_image_encoding_duration_seconds`): most of a request. 40 requests (20 of each form) "
              "warm up first, untimed: the first one loads the model and the encoder (about 3.5 s)."]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PYEOF
cat "$OUT/image-serving.md"
