#!/usr/bin/python3
"""scikit-learn peer of bench/MlOps.Bench: same command line, same JSON line (bench/README.md).

  /usr/bin/python3 bench/peers/sklearn_train.py train --train TRAIN.csv --test TEST.csv --target COLUMN \
      --algorithm logistic-regression|linear-regression [--task binary|multiclass|regression] [--param key=value]...

Parameters: l2 (LogisticRegression C = 1/l2, Ridge alpha = l2; default 1.0), maxIterations (max_iter, scikit-learn's
default 100 when not given), tolerance (tol, default 1e-4 when not given).

Loading and column-type inference are not timed. trainSeconds = Pipeline.fit (imputer + scaler + one-hot + model);
scoreSeconds = transform + predict_proba/predict on the test rows + the metrics. Written for the Debian
python3-sklearn 1.2.1 / numpy 1.24 under /usr/bin/python3; no pandas.
"""
import argparse
import csv
import json
import math
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (accuracy_score, f1_score, log_loss, mean_absolute_error, mean_squared_error, r2_score,
                             roc_auc_score)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

# The platform's missing-value tokens (MissingValues.DefaultTokens), matched ignoring case and surrounding blanks;
# an empty or blank field is missing too.
MISSING_TOKENS = {"", "na", "n/a", "nan", "null", "none"}


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [name.strip() for name in next(reader)]
        rows = [row for row in reader if row]
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise SystemExit(f"{path}: data row {i + 1} has {len(row)} fields where the header has {len(header)}")
    columns = list(zip(*rows)) if rows else [() for _ in header]
    return header, [list(c) for c in columns]


def is_missing(value):
    return value.strip(" \t").lower() in MISSING_TOKENS


def parse_numeric(values):
    """float64 array (NaN = missing), or None when some present value is not a finite number."""
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if is_missing(v):
            out[i] = np.nan
            continue
        try:
            x = float(v)
        except ValueError:
            return None
        if not math.isfinite(x) or "_" in v:
            return None
        out[i] = x
    return out


def load(path, target, kinds=None, vocab=None):
    """(features dict name -> float64 array, kinds dict name -> 'numeric'|'categorical', vocab, target values).

    A categorical column is stored as float codes into its training values (as the platform's loader stores an int
    code per row), so the timed pipeline sees one float64 matrix; a missing value is code -1 (a category of its own)
    and a value unseen in training gets a code OneHotEncoder(handle_unknown='ignore') never saw. The target keeps its
    values: floats when numeric, else strings.
    """
    header, columns = read_csv(path)
    if target not in header:
        raise SystemExit(f"{path}: no column '{target}'; the columns are {', '.join(header)}")
    inferred, data, vocab = {}, {}, dict(vocab or {})
    y = None
    for name, values in zip(header, columns):
        kind = kinds.get(name) if kinds else None
        numeric = parse_numeric(values) if kind in (None, "numeric") else None
        if name == target:
            y = numeric if numeric is not None else np.array([None if is_missing(v) else v for v in values],
                                                             dtype=object)
        elif numeric is not None:
            inferred[name], data[name] = "numeric", numeric
        elif kind == "numeric":
            raise SystemExit(f"{path}: column '{name}' is numeric in training but not here")
        else:
            codes = vocab.setdefault(name, {})
            unseen = len(codes) + 1_000_000 if kinds else None
            out = np.empty(len(values), dtype=np.float64)
            for i, v in enumerate(values):
                if is_missing(v):
                    out[i] = -1.0
                elif v in codes:
                    out[i] = codes[v]
                elif unseen is None:
                    out[i] = codes[v] = len(codes)
                else:
                    out[i] = unseen
            inferred[name], data[name] = "categorical", out
    return data, inferred, vocab, y


def design(data, kinds):
    """The float64 matrix, numeric columns first then categorical ones, each in header order."""
    num = [n for n in data if kinds[n] == "numeric"]
    cat = [n for n in data if kinds[n] == "categorical"]
    x = np.column_stack([data[n] for n in num + cat])
    return np.ascontiguousarray(x, dtype=np.float64), len(num), len(cat)


def parse_params(pairs):
    params = {"l2": 1.0}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--param takes key=value, not '{pair}'")
        if key == "l2" or key == "tolerance":
            params[key] = float(value)
        elif key == "maxIterations":
            params[key] = int(value)
        else:
            raise SystemExit(f"Unknown parameter '{key}'. Known: l2, maxIterations, tolerance.")
    return params


def build_pipeline(n_num, n_cat, algorithm, task, params):
    steps = []
    if n_num:
        steps.append(("num", Pipeline([("impute", SimpleImputer(strategy="mean")), ("scale", StandardScaler())]),
                      list(range(n_num))))
    if n_cat:
        steps.append(("cat", OneHotEncoder(handle_unknown="ignore"), list(range(n_num, n_num + n_cat))))
    # Dense output always (sparse_threshold=0): these designs have at most a few dozen one-hot columns.
    features = ColumnTransformer(steps, sparse_threshold=0.0)
    if algorithm == "linear-regression":
        model = Ridge(alpha=params["l2"])
    else:
        kwargs = {"C": 1.0 / params["l2"], "solver": "lbfgs"}
        if "maxIterations" in params:
            kwargs["max_iter"] = params["maxIterations"]
        if "tolerance" in params:
            kwargs["tol"] = params["tolerance"]
        if task == "multiclass":
            kwargs["multi_class"] = "multinomial"
        model = LogisticRegression(**kwargs)
    return Pipeline([("features", features), ("model", model)])


def classification_metrics(model, y_test, proba, task):
    classes = model.classes_
    predicted = classes[np.argmax(proba, axis=1)]
    metrics = {}
    if task == "binary":
        metrics["auc"] = roc_auc_score(y_test == classes[1], proba[:, 1])
    metrics["accuracy"] = accuracy_score(y_test, predicted)
    metrics["logLoss"] = log_loss(y_test, proba, labels=classes)
    if task == "binary":
        metrics["f1"] = f1_score(y_test, predicted, pos_label=classes[1], average="binary")
    else:
        metrics["f1"] = f1_score(y_test, predicted, average="macro")
    return metrics


def train(args):
    params = parse_params(args.param)
    train_data, kinds, vocab, y_train = load(args.train, args.target)
    test_data, _, _, y_test = load(args.test, args.target, kinds, vocab)

    if args.algorithm == "linear-regression":
        task = "regression"
    elif args.task:
        task = args.task
    else:
        task = "regression" if y_train.dtype.kind == "f" else None
    if task == "regression" and y_train.dtype.kind != "f":
        raise SystemExit(f"regression needs a numeric target; '{args.target}' is not numeric")

    # Rows whose target is missing are left out, as the platform does.
    keep_train = ~np.isnan(y_train) if y_train.dtype.kind == "f" else np.not_equal(y_train, None)
    keep_test = ~np.isnan(y_test) if y_test.dtype.kind == "f" else np.not_equal(y_test, None)
    x_train, n_num, n_cat = design(train_data, kinds)
    x_test, _, _ = design(test_data, kinds)
    x_train, y_train = x_train[keep_train], y_train[keep_train]
    x_test, y_test = x_test[keep_test], y_test[keep_test]
    if task != "regression":
        n_classes = len(np.unique(y_train))
        if task is None:
            task = "binary" if n_classes == 2 else "multiclass"
        if task == "binary" and n_classes != 2:
            raise SystemExit(f"binary classification needs exactly two classes; '{args.target}' has {n_classes}")

    pipeline = build_pipeline(n_num, n_cat, args.algorithm, task, params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported through "iterations" instead
        start = time.perf_counter()
        pipeline.fit(x_train, y_train)
        train_seconds = time.perf_counter() - start

    start = time.perf_counter()
    model = pipeline.named_steps["model"]
    if task == "regression":
        predicted = pipeline.predict(x_test)
        metrics = {
            "rmse": math.sqrt(mean_squared_error(y_test, predicted)),
            "mae": mean_absolute_error(y_test, predicted),
            "r2": r2_score(y_test, predicted),
        }
    else:
        proba = pipeline.predict_proba(x_test)
        metrics = classification_metrics(model, y_test, proba, task)
    score_seconds = time.perf_counter() - start

    n_iter = getattr(model, "n_iter_", None)
    iterations = int(np.max(n_iter)) if n_iter is not None else 0
    report = {
        "algorithm": args.algorithm,
        "task": task,
        "rows": int(x_train.shape[0]),
        "features": len(kinds),
        "trainSeconds": round(train_seconds, 4),
        "scoreSeconds": round(score_seconds, 4),
        "iterations": iterations,
        "metrics": {k: float(v) for k, v in metrics.items()},
    }
    print(json.dumps(report, separators=(",", ":")))


def main(argv):
    parser = argparse.ArgumentParser(description=f"scikit-learn {sklearn.__version__} peer of MlOps.Bench")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="Train, score and print one JSON line of timings and metrics.")
    t.add_argument("--train", required=True)
    t.add_argument("--test", required=True)
    t.add_argument("--target", required=True)
    t.add_argument("--algorithm", required=True, choices=["logistic-regression", "linear-regression"])
    t.add_argument("--task", choices=["binary", "multiclass", "regression"])
    t.add_argument("--param", action="append")
    args = parser.parse_args(argv)
    train(args)


if __name__ == "__main__":
    main(sys.argv[1:])
