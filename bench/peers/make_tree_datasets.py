#!/usr/bin/python3
"""Seeded synthetic datasets for the tree benchmark (bench/run-trees.sh, bench/README.md).

Run with /usr/bin/python3 (numpy 1.24). Writes bench/data/<name>/train.csv and test.csv, 20 numeric features each:
6 informative (f00..f05, entering the target through thresholds, interactions and curves, the kind of structure
trees find and a linear model misses), 6 correlated with them (c00..c05: an informative feature plus noise, so
splits compete), 8 pure noise (n00..n07). f01 and c02 are missing in 3% of rows (empty fields).

  trees-binary-1m      1,000,000 train + 200,000 test rows, target `label` in {0, 1}, ~35% positives.
  trees-regression-1m  1,000,000 train + 200,000 test rows, target `value`.
  trees-multiclass-500k  500,000 train + 100,000 test rows, target `class` in {0..4} (5 classes, unequal shares).

Values are written with 7 significant digits, so both implementations read the same numbers from smaller files.
Usage: make_tree_datasets.py [--out DIR] [--only NAME]...
"""
import argparse
import os
import sys

import numpy as np


def write_csv(path, names, matrix, target_name, target, target_format):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(names + [target_name]) + "\n")
        block = 100_000
        for start in range(0, matrix.shape[0], block):
            rows = matrix[start:start + block]
            text = np.char.mod("%.7g", rows)
            text[np.isnan(rows)] = ""
            ys = np.char.mod(target_format, target[start:start + block])
            lines = [",".join(r) + "," + y for r, y in zip(text.tolist(), ys.tolist())]
            f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def features(rng, n):
    """The 20 feature columns (with missing values) and the 6 informative ones before values went missing."""
    informative = rng.standard_normal((n, 6))
    informative[:, 2] = rng.uniform(-2, 2, n)
    informative[:, 5] = np.round(rng.exponential(2.0, n))  # a count-like feature with many ties
    correlated = informative + rng.normal(0, 0.5, (n, 6)) * np.array([0.3, 0.5, 0.8, 1.0, 0.5, 1.5])
    noise = np.column_stack([rng.standard_normal((n, 4)), rng.uniform(0, 100, (n, 2)), rng.integers(0, 10, (n, 2))])
    matrix = np.column_stack([informative, correlated, noise]).astype(np.float64)
    for column in (1, 8):  # f01 and c02
        matrix[rng.random(n) < 0.03, column] = np.nan
    names = [f"f{i:02d}" for i in range(6)] + [f"c{i:02d}" for i in range(6)] + [f"n{i:02d}" for i in range(8)]
    return names, matrix, informative


def signal(x):
    """A nonlinear score of the informative features: steps, an interaction, a curve, a saturating count."""
    return (1.2 * (x[:, 0] > 0.3) - 0.8 * (x[:, 0] < -1.0)
            + 0.9 * x[:, 1] * x[:, 2]
            + np.sin(1.5 * x[:, 2])
            + 0.6 * np.abs(x[:, 3]) - 0.5
            + 0.7 * np.tanh(x[:, 4] * 2)
            + 0.4 * np.minimum(x[:, 5], 4) - 0.8)


def binary(out_dir, name, n_train, n_test, seed):
    rng = np.random.default_rng(seed)
    names, matrix, informative = features(rng, n_train + n_test)
    logit = 1.5 * signal(informative) - 0.9
    label = (rng.random(len(logit)) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    split_write(out_dir, name, names, matrix, "label", label, "%d", n_train)


def regression(out_dir, name, n_train, n_test, seed):
    rng = np.random.default_rng(seed)
    names, matrix, informative = features(rng, n_train + n_test)
    value = 10 + 3 * signal(informative) + rng.normal(0, 1.0, n_train + n_test)
    split_write(out_dir, name, names, matrix, "value", value, "%.7g", n_train)


def multiclass(out_dir, name, n_train, n_test, seed, classes=5):
    rng = np.random.default_rng(seed)
    names, matrix, x = features(rng, n_train + n_test)
    scores = np.column_stack([
        signal(x),
        1.2 * x[:, 0] * x[:, 3] + 0.5,
        np.sin(2 * x[:, 2]) + 0.8 * (x[:, 4] > 0.5),
        0.6 * x[:, 5] - 1.0 + 0.5 * x[:, 1],
        -signal(x) - 0.3,
    ])[:, :classes]
    scores = 1.4 * scores + rng.gumbel(size=scores.shape)
    label = scores.argmax(axis=1)
    split_write(out_dir, name, names, matrix, "class", label, "%d", n_train)


def split_write(out_dir, name, names, matrix, target_name, target, target_format, n_train):
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    write_csv(os.path.join(d, "train.csv"), names, matrix[:n_train], target_name, target[:n_train], target_format)
    write_csv(os.path.join(d, "test.csv"), names, matrix[n_train:], target_name, target[n_train:], target_format)


GENERATORS = {
    "trees-binary-1m": lambda out: binary(out, "trees-binary-1m", 1_000_000, 200_000, 91),
    "trees-regression-1m": lambda out: regression(out, "trees-regression-1m", 1_000_000, 200_000, 92),
    "trees-multiclass-500k": lambda out: multiclass(out, "trees-multiclass-500k", 500_000, 100_000, 93),
}


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(here, "..", "data"))
    parser.add_argument("--only", action="append", choices=sorted(GENERATORS))
    args = parser.parse_args(argv)
    for name in args.only or sorted(GENERATORS):
        print(f"generating {name}", file=sys.stderr)
        GENERATORS[name](args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
