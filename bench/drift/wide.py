#!/usr/bin/python3
"""A 20-feature tabular dataset for the drift benchmark (bench/run-drift.sh): 14 numeric and 6 categorical features and
a binary target. The same seed always gives the same rows; `--drift` shifts f01..f05 by one standard deviation and
reweights c01, the "production" data whose drift a check must find.

  wide.py csv --rows 20000 --seed 1 > train.csv               the training data, with the target y
  wide.py send --rows 1000000 --seed 2 --drift --url … --token …  the instances, sent to POST /api/predict/wide in batches
  (imported by bench/peers/drift_scipy.py for the same rows)
"""
import argparse
import csv
import http.client
import json
import sys
import urllib.parse

import numpy as np

NUMERIC = [f"f{i:02d}" for i in range(1, 15)]
CATEGORICAL = [f"c{i:02d}" for i in range(1, 7)]
LEVELS = [[f"v{k}" for k in range(3 + i)] for i in range(6)]
DRIFTED_NUMERIC = NUMERIC[:5]
DRIFTED_CATEGORICAL = CATEGORICAL[:1]


def generate(rows, seed, drift):
    """Columns as numpy arrays: numeric features normal with their own means and spreads, categories with fixed weights."""
    rng = np.random.default_rng(seed)
    columns = {}
    for i, name in enumerate(NUMERIC):
        mean, sd = 10.0 * (i + 1), 1.0 + i
        values = rng.normal(mean, sd, rows)
        if drift and name in DRIFTED_NUMERIC:
            values = values + sd
        columns[name] = np.round(values, 4)
    for i, name in enumerate(CATEGORICAL):
        levels = LEVELS[i]
        weights = np.arange(1, len(levels) + 1, dtype=float)
        if drift and name in DRIFTED_CATEGORICAL:
            weights = weights[::-1] ** 2
        columns[name] = rng.choice(levels, size=rows, p=weights / weights.sum())
    return columns


def target(columns, seed):
    rng = np.random.default_rng(seed + 1000)
    score = (columns["f01"] - 10) * 0.8 - (columns["f02"] - 20) * 0.4 + (columns["c01"] == "v0") * 1.2
    return rng.random(len(score)) < 1 / (1 + np.exp(-score))


def write_csv(rows, seed):
    columns = generate(rows, seed, drift=False)
    y = target(columns, seed)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(NUMERIC + CATEGORICAL + ["y"])
    for r in range(rows):
        out.writerow([repr(float(columns[n][r])) for n in NUMERIC] + [columns[c][r] for c in CATEGORICAL] + ["true" if y[r] else "false"])


def send(rows, seed, drift, url, token, batch=1000):
    """POSTs the rows as {"instances": [...]} batches over one keep-alive connection; fails on any non-200."""
    columns = generate(rows, seed, drift)
    target_url = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(target_url.hostname, target_url.port)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    numeric = [columns[n].tolist() for n in NUMERIC]
    categorical = [columns[c].tolist() for c in CATEGORICAL]
    for start in range(0, rows, batch):
        end = min(start + batch, rows)
        instances = []
        for r in range(start, end):
            instance = {n: numeric[i][r] for i, n in enumerate(NUMERIC)}
            instance.update({c: categorical[i][r] for i, c in enumerate(CATEGORICAL)})
            instances.append(instance)
        connection.request("POST", target_url.path, json.dumps({"instances": instances}), headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            sys.exit(f"predict answered {response.status}: {body[:500]!r}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["csv", "send"])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--drift", action="store_true")
    parser.add_argument("--url")
    parser.add_argument("--token")
    args = parser.parse_args()
    if args.command == "csv":
        write_csv(args.rows, args.seed)
    else:
        send(args.rows, args.seed, args.drift, args.url, args.token)
