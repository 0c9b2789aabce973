#!/usr/bin/python3
"""The peer of our drift check: the tests Evidently chooses by default, computed with NumPy and SciPy the way Evidently
computes them, over the same reference (the training CSV) and the same current rows (regenerated from the same seed by
bench/drift/wide.py). It reads arrays already in memory: no log to fetch, which favours the peer.

  drift_scipy.py --train train.csv --rows 1000000 --seed 2 --drift --runs 3     prints one JSON object
"""
import argparse
import csv
import json
import os
import sys
import time

import numpy as np
from scipy.spatial import distance
from scipy.stats import ks_2samp, chisquare, wasserstein_distance

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "drift"))
import wide  # noqa: E402


def stattest(reference, current, numeric):
    """Evidently's _get_default_stattest and the test it picks: (test, score, drifted)."""
    n_values = len(np.unique(np.concatenate([reference, current])))
    if len(reference) <= 1000:
        if numeric and n_values > 5:
            p = ks_2samp(reference, current)[1]
            return "ks", p, p < 0.05
        keys = np.unique(np.concatenate([reference, current]))
        ref = np.array([np.sum(reference == k) for k in keys], dtype=float)
        cur = np.array([np.sum(current == k) for k in keys], dtype=float)
        p = chisquare(cur, ref * len(current) / len(reference))[1]
        return "chisquare", p, p < 0.05
    if numeric and n_values > 5:
        score = wasserstein_distance(reference, current) / max(np.std(reference), 0.001)
        return "wasserstein", score, score >= 0.1
    keys = np.unique(np.concatenate([reference, current]))
    ref_values, ref_counts = np.unique(reference, return_counts=True)
    cur_values, cur_counts = np.unique(current, return_counts=True)
    ref_share = dict(zip(ref_values, ref_counts / len(reference)))
    cur_share = dict(zip(cur_values, cur_counts / len(current)))
    score = distance.jensenshannon([ref_share.get(k, 0) for k in keys], [cur_share.get(k, 0) for k in keys])
    return "jensenshannon", score, score >= 0.1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--drift", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with open(args.train, newline="") as f:
        rows = list(csv.DictReader(f))
    reference = {n: np.array([float(r[n]) for r in rows]) for n in wide.NUMERIC}
    reference.update({c: np.array([r[c] for r in rows]) for c in wide.CATEGORICAL})
    current = wide.generate(args.rows, args.seed, args.drift)
    seconds, results = [], None
    for _ in range(args.runs):
        started = time.perf_counter()
        results = {n: stattest(reference[n], current[n], n in wide.NUMERIC) for n in wide.NUMERIC + wide.CATEGORICAL}
        seconds.append(time.perf_counter() - started)
    drifted = sorted(n for n, (_, _, d) in results.items() if d)
    print(json.dumps({
        "seconds": sorted(seconds)[len(seconds) // 2],
        "runs": seconds,
        "features": {n: {"test": t, "score": float(s), "drifted": bool(d)} for n, (t, s, d) in results.items()},
        "drifted": drifted,
    }))


if __name__ == "__main__":
    main()
