#!/usr/bin/env bash
# Runs every step of docs/walkthrough.md against a platform started with `dotnet run --project AppHost` (no container runtime,
# a fresh data folder), printing each command and its answer. Needs curl and jq. Files go to a temporary folder.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GW=${GW:-http://localhost:8000}
cd "$(mktemp -d)"
step() { echo; echo "### $1"; }
run() { echo "\$ $*"; eval "$@"; echo; }

step token
run 'TOKEN=$(curl -s -X POST $GW/connect/token -d grant_type=password -d username=admin -d "password=$(cat $ROOT/.mlops/admin-password)" | jq -r .access_token)'
echo "${TOKEN:0:20}..."
AUTH="Authorization: Bearer $TOKEN"

step generate
run 'curl -s -X POST -H "$AUTH" -H "Content-Type: application/json" -d '"'"'{"generator":"cart-abandonment","rows":5000,"seed":1}'"'"' $GW/api/datasets/carts/versions/generate | jq -c "{name, version, sha256, rows, columns: [.columns[].name]}"'

step train
run 'JOB=$(curl -s -X POST -H "$AUTH" -H "Content-Type: application/json" -d '"'"'{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"carts","promote":"if-better"}'"'"' $GW/api/training/jobs | jq -r .id); echo $JOB'
sleep 5
run 'curl -s -H "$AUTH" $GW/api/training/jobs/$JOB | jq -c "{status, modelVersion, promotion: .promotion | {promoted, reason}}"'
run 'curl -s -H "$AUTH" $GW/api/models/carts/aliases/production | jq -c "{version, primaryMetric, metrics}"'

step policy
run 'curl -s -X PUT -H "$AUTH" -H "Content-Type: application/json" -d '"'"'{"checkInterval":"1h","last":2000,"autoRetrain":true,"retrainCooldown":"1h","minFeedbackSamples":500}'"'"' $GW/api/monitoring/carts/policy | jq -c .policy'

# to_instances: a dataset version's CSV as batches of prediction instances (the label left out), one JSON file per 1,000 rows.
cat > to-instances.jq <<'JQ'
split("\n") | map(select(length > 0) | split(",")) | .[0] as $header | .[1:]
| map([$header, .] | transpose | map(select(.[0] != "abandoned"))
      | map({(.[0]): (.[1] | if . == "true" then true elif . == "false" then false else (tonumber? // .) end)}) | add)
JQ
echo '$ cat to-instances.jq'; cat to-instances.jq; echo

step calm
run 'curl -s -X POST -H "$AUTH" -H "Content-Type: application/json" -d '"'"'{"generator":"cart-abandonment","rows":2000,"seed":2}'"'"' $GW/api/datasets/carts-today/versions/generate | jq -c "{name, version, rows}"'
run 'curl -s -H "$AUTH" $GW/api/datasets/carts-today/versions/latest/content | jq -Rs -f to-instances.jq > today.json'
run 'for i in 0 1000; do jq -c "{instances: .[$i:$i+1000]}" today.json | curl -s -X POST -H "$AUTH" -H "Content-Type: application/json" -d @- $GW/api/predict/carts > /dev/null; done'
sleep 2
run 'curl -s -H "$AUTH" "$GW/api/monitoring/carts/drift?last=2000" | jq -c "{version, predictions, datasetDrift, driftedFeatures, drifted: [.features[] | select(.drifted) | .feature]}"'

step drifted
run 'curl -s -X POST -H "$AUTH" -H "Content-Type: application/json" -d '"'"'{"generator":"cart-abandonment","rows":5000,"seed":3,"drift":{"cart_value":{"meanShift":1.5},"session_duration":{"meanShift":-1.5},"pages_visited":{"meanShift":1.5},"time_of_day":{"categoryMix":{"night":0.8,"morning":0.2}}}}'"'"' $GW/api/datasets/carts/versions/generate | jq -c "{name, version, rows}"'
run 'curl -s -H "$AUTH" $GW/api/datasets/carts/versions/latest/content > moved.csv; jq -Rs -f to-instances.jq moved.csv > moved.json'
run 'for i in 0 1000; do jq -c "{instances: .[$i:$i+1000]}" moved.json | curl -s -X POST -H "$AUTH" -H "Content-Type: application/json" -d @- $GW/api/predict/carts; done | jq -s "[.[].predictions[].id]" > moved-ids.json'
sleep 2
run 'curl -s -H "$AUTH" "$GW/api/monitoring/carts/drift?last=2000" > drift.json; jq -c "{version, predictions, datasetDrift, driftedFeatures, driftedShare}" drift.json'
run 'jq -r ".features[] | [.feature, .test, (.statistic*10000|round/10000), .threshold, .drifted] | @tsv" drift.json'

step feedback
run 'sed -n 2,2001p moved.csv | awk -F, "{print (\$NF == \"true\") ? \"false\" : \"true\"}" | jq -R . | jq -s . > turned.json'
run 'jq -c -n --slurpfile ids moved-ids.json --slurpfile actual turned.json "{items: [range(0; 1000) as \$i | {predictionId: \$ids[0][\$i], actual: \$actual[0][\$i]}]}" | curl -s -X POST -H "$AUTH" -H "Content-Type: application/json" -d @- $GW/api/feedback'
run 'jq -c -n --slurpfile ids moved-ids.json --slurpfile actual turned.json "{items: [range(1000; 2000) as \$i | {predictionId: \$ids[0][\$i], actual: \$actual[0][\$i]}]}" | curl -s -X POST -H "$AUTH" -H "Content-Type: application/json" -d @- $GW/api/feedback'
run 'curl -s -H "$AUTH" "$GW/api/monitoring/carts/performance?last=2000" | jq -c "{version, labelled, primaryMetric, live: .live.auc, validation: .validation.auc, drop, maxDrop, decay}"'

step retrain
run 'curl -s -H "$AUTH" $GW/api/monitoring/carts/retrains | jq -c ".items[] | {version, reason, jobId}"'
sleep 8
run 'curl -s -H "$AUTH" $GW/api/training/jobs/$(curl -s -H "$AUTH" $GW/api/monitoring/carts/retrains | jq -r ".items[0].jobId") | jq -c "{status, dataset, datasetVersion, promote, modelVersion, promotion: .promotion | {promoted, reason}}"'
run 'curl -s -H "$AUTH" $GW/api/models/carts | jq -c "{latestVersion, aliases}"'
run 'curl -s http://localhost:8015/metrics | grep -E "^mlops_(dataset_drift|model_decay|model_performance\{metric=\"auc\"|retrains_total|feedback_total)"'
