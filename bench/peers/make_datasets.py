#!/usr/bin/python3
"""Seeded synthetic datasets for the linear-learner benchmark (bench/README.md).

Run with /usr/bin/python3 (numpy 1.24). Writes bench/data/<name>/train.csv and test.csv:

  binary-100k       100,000 train + 20,000 test rows, 50 numeric features (mixed scales, correlated blocks),
                    target `label` in {0, 1} from a noisy logistic ground truth, ~30% positives.
  binary-mixed-20k  20,000 train + 4,000 test rows, 20 numeric (some empty fields) + 3 categorical columns
                    (5, 12 and 30 levels), target `churned` in {no, yes}.
  multiclass-30k    30,000 train + 6,000 test rows, 20 numeric features, target `species` with 4 string labels.
  regression-50k    50,000 train + 10,000 test rows, 30 numeric + 2 categorical columns, target `price`
                    (wine-price-like, positive, right-skewed).

Floats are written with repr (shortest string that round-trips), so both implementations read identical values.
Usage: make_datasets.py [--out DIR] [--only NAME]...
"""
import argparse
import os
import sys

import numpy as np


def _fmt_column(values):
    """One column as a list of strings: floats by repr, NaN as an empty field, anything else by str."""
    if values.dtype.kind == "f":
        out = [repr(v) for v in values.tolist()]
        missing = np.flatnonzero(np.isnan(values))
        for i in missing.tolist():
            out[i] = ""
        return out
    return [str(v) for v in values.tolist()]


def write_csv(path, columns):
    """columns: list of (name, 1-d numpy array). Writes a header row and one row per index."""
    names = [name for name, _ in columns]
    formatted = [_fmt_column(np.asarray(values)) for _, values in columns]
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(names) + "\n")
        f.write("\n".join(",".join(row) for row in zip(*formatted)))
        f.write("\n")
    os.replace(tmp, path)


def split_write(out_dir, name, columns, n_train):
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    write_csv(os.path.join(d, "train.csv"), [(c, v[:n_train]) for c, v in columns])
    write_csv(os.path.join(d, "test.csv"), [(c, v[n_train:]) for c, v in columns])


def correlated_normals(rng, n, d, block=5, rho=0.6):
    """d standard-normal columns in blocks of `block` sharing a latent factor (within-block correlation ~rho)."""
    z = rng.standard_normal((n, d))
    latent = rng.standard_normal((n, (d + block - 1) // block))
    shared = np.repeat(latent, block, axis=1)[:, :d]
    return np.sqrt(rho) * shared + np.sqrt(1.0 - rho) * z


def mixed_scales(rng, z):
    """Per column: x = offset + scale * z with scales spanning 1e-3..1e4 (what standardization must undo)."""
    d = z.shape[1]
    scale = 10.0 ** rng.uniform(-3.0, 4.0, size=d)
    offset = rng.normal(0.0, 1.0, size=d) * scale * rng.choice([0.0, 1.0, 5.0], size=d)
    return offset + scale * z


def intercept_for_rate(logit_wo_bias, rate):
    """The bias b with mean(sigmoid(logit + b)) ~= rate (bisection)."""
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        p = 1.0 / (1.0 + np.exp(-(logit_wo_bias + mid)))
        if p.mean() < rate:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def binary_100k(out_dir):
    rng = np.random.default_rng(20240101)
    n_train, n_test, d = 100_000, 20_000, 50
    n = n_train + n_test
    z = correlated_normals(rng, n, d)
    x = mixed_scales(rng, z)
    w = rng.normal(0.0, 0.5, size=d) * (rng.random(d) < 0.6)  # ~40% of features are irrelevant
    logit = z @ w + rng.normal(0.0, 0.5, size=n)  # noise beyond the logistic link
    logit += intercept_for_rate(logit, 0.30)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    columns = [(f"x{j:02d}", x[:, j]) for j in range(d)] + [("label", y)]
    split_write(out_dir, "binary-100k", columns, n_train)


def binary_mixed_20k(out_dir):
    rng = np.random.default_rng(20240102)
    n_train, n_test, d = 20_000, 4_000, 20
    n = n_train + n_test
    z = correlated_normals(rng, n, d, block=4, rho=0.4)
    x = mixed_scales(rng, z)
    levels = {"region": 5, "channel": 12, "product": 30}
    prefixes = {"region": "r", "channel": "ch", "product": "prod"}
    cats, cat_effects = {}, np.zeros(n)
    for name, k in levels.items():
        p = rng.dirichlet(np.full(k, 2.0))  # uneven level frequencies
        codes = rng.choice(k, size=n, p=p)
        effect = rng.normal(0.0, 0.7, size=k)
        cat_effects += effect[codes]
        cats[name] = np.array([f"{prefixes[name]}{c:02d}" for c in range(k)], dtype=object)[codes]
    w = rng.normal(0.0, 0.6, size=d) * (rng.random(d) < 0.7)
    logit = z @ w + cat_effects + rng.normal(0.0, 0.5, size=n)
    logit += intercept_for_rate(logit, 0.25)
    y = np.where(rng.random(n) < 1.0 / (1.0 + np.exp(-logit)), "yes", "no").astype(object)
    for j in (1, 4, 7, 12, 18):  # ~2% empty fields in five numeric columns (train and test)
        x[rng.random(n) < 0.02, j] = np.nan
    columns = [(f"num{j:02d}", x[:, j]) for j in range(d)]
    columns += [(name, values) for name, values in cats.items()]
    columns.append(("churned", y))
    split_write(out_dir, "binary-mixed-20k", columns, n_train)


def multiclass_30k(out_dir):
    rng = np.random.default_rng(20240103)
    n_train, n_test, d, k = 30_000, 6_000, 20, 4
    n = n_train + n_test
    z = correlated_normals(rng, n, d, block=4, rho=0.5)
    x = mixed_scales(rng, z)
    w = rng.normal(0.0, 0.6, size=(d, k)) * (rng.random((d, k)) < 0.6)
    scores = z @ w + np.array([0.3, 0.0, -0.2, -0.5]) + rng.gumbel(0.0, 0.6, size=(n, k))
    labels = np.array(["setosa", "versicolor", "virginica", "arctica"], dtype=object)
    y = labels[np.argmax(scores, axis=1)]
    columns = [(f"m{j:02d}", x[:, j]) for j in range(d)] + [("species", y)]
    split_write(out_dir, "multiclass-30k", columns, n_train)


def regression_50k(out_dir):
    rng = np.random.default_rng(20240104)
    n_train, n_test, d = 50_000, 10_000, 30
    n = n_train + n_test
    z = correlated_normals(rng, n, d, block=6, rho=0.5)
    # Physico-chemical-like measurements: positive, varied units.
    scale = 10.0 ** rng.uniform(-2.0, 2.5, size=d)
    x = scale * (3.0 + z) + 10.0 ** rng.uniform(-1.0, 1.0, size=d) * scale
    region_p = rng.dirichlet(np.full(12, 1.5))
    variety_p = rng.dirichlet(np.full(25, 1.5))
    region = rng.choice(12, size=n, p=region_p)
    variety = rng.choice(25, size=n, p=variety_p)
    region_names = np.array([f"region-{c:02d}" for c in range(12)], dtype=object)
    variety_names = np.array([f"variety-{c:02d}" for c in range(25)], dtype=object)
    w = rng.normal(0.0, 0.12, size=d) * (rng.random(d) < 0.7)
    log_price = (3.2 + z @ w + rng.normal(0.0, 0.25, size=12)[region] + rng.normal(0.0, 0.2, size=25)[variety]
                 + 0.05 * z[:, 0] * z[:, 1] + rng.normal(0.0, 0.25, size=n))
    price = np.round(np.exp(log_price), 2)
    columns = [(f"chem{j:02d}", x[:, j]) for j in range(d)]
    columns += [("region", region_names[region]), ("variety", variety_names[variety]), ("price", price)]
    split_write(out_dir, "regression-50k", columns, n_train)


GENERATORS = {
    "binary-100k": binary_100k,
    "binary-mixed-20k": binary_mixed_20k,
    "multiclass-30k": multiclass_30k,
    "regression-50k": regression_50k,
}


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(here, "..", "data"))
    parser.add_argument("--only", action="append", choices=sorted(GENERATORS))
    args = parser.parse_args(argv)
    for name in args.only or list(GENERATORS):
        GENERATORS[name](os.path.abspath(args.out))
        print(f"wrote {os.path.join(os.path.abspath(args.out), name)}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
