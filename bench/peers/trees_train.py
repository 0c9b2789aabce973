#!/usr/bin/python3
"""Tree peers of bench/MlOps.Bench: XGBoost and scikit-learn, same command line, same JSON line (bench/README.md).

  /usr/bin/python3 bench/peers/trees_train.py train --library xgboost|sklearn --train TRAIN.csv --test TEST.csv \
      --target COLUMN --algorithm gbdt|random-forest --task binary|multiclass|regression [--threads N] [--param key=value]...

  gbdt, xgboost   XGBClassifier/XGBRegressor(tree_method="hist", grow_policy="lossguide", max_leaves=numLeaves,
                  max_depth=maxDepth or 0, learning_rate, n_estimators=rounds, max_bin=maxBins, nthread=threads)
  gbdt, sklearn   HistGradientBoostingClassifier/Regressor(max_iter=rounds, max_leaf_nodes=numLeaves, learning_rate,
                  max_bins=maxBins, early_stopping=False unless earlyStoppingRounds is given)
  random-forest   RandomForestClassifier/Regressor(n_estimators=rounds, max_leaf_nodes=numLeaves, n_jobs=threads;
                  max_features "sqrt" for classification, all for regression; bootstrap), scikit-learn only, after
                  SimpleImputer(mean) because scikit-learn 1.2's forests refuse missing values

Other parameters map when given (l2 → reg_lambda / l2_regularization, l1 → reg_alpha, minChildWeight →
min_child_weight, minChildSamples → min_samples_leaf, featureFraction → colsample_bytree / max_features,
baggingFraction → subsample, seed → random_state); otherwise each library keeps its own default. The benchmark's
datasets are numeric (empty field = missing, NaN to every library, which all learn where missing values go).

Loading is not timed; trainSeconds is fit (XGBoost's includes building its quantized matrix, as ours includes
binning); scoreSeconds is predicting the test rows plus the metrics. Threads: XGBoost's nthread, scikit-learn's
OpenMP pool limited with threadpoolctl, the forest's n_jobs.
"""
import argparse
import json
import math
import sys
import time

import numpy as np
from sklearn.metrics import (accuracy_score, f1_score, log_loss, mean_absolute_error, mean_squared_error, r2_score,
                             roc_auc_score)
from threadpoolctl import threadpool_limits

KNOWN = ["rounds", "numLeaves", "maxDepth", "learningRate", "maxBins", "l2", "l1", "minChildSamples", "minChildWeight",
         "minSplitGain", "featureFraction", "baggingFraction", "earlyStoppingRounds", "seed"]


def load(path, target):
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split(",")
        if target not in header:
            raise SystemExit(f"{path}: no column '{target}'; the columns are {', '.join(header)}")
        try:
            data = np.array([[float(v) if v else np.nan for v in line.rstrip("\n").split(",")] for line in f])
        except ValueError as error:
            raise SystemExit(f"{path}: the tree peer reads numeric columns only ({error})")
    t = header.index(target)
    return np.ascontiguousarray(np.delete(data, t, axis=1)), data[:, t], len(header) - 1


def parse_params(pairs):
    params = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or key not in KNOWN:
            raise SystemExit(f"Unknown parameter '{pair}'. Known: {', '.join(KNOWN)}.")
        params[key] = float(value) if "." in value or "e" in value.lower() else int(value)
    return params


def build(library, algorithm, task, params, threads):
    rounds = int(params.get("rounds", 100))
    seed = int(params.get("seed", 0))
    if algorithm == "random-forest":
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
        kwargs = dict(n_estimators=rounds, max_leaf_nodes=int(params.get("numLeaves", 255)), n_jobs=threads,
                      random_state=seed, min_samples_leaf=int(params.get("minChildSamples", 1)))
        if "maxDepth" in params:
            kwargs["max_depth"] = int(params["maxDepth"])
        if "featureFraction" in params:
            kwargs["max_features"] = float(params["featureFraction"])
        # scikit-learn 1.2's forests refuse NaN: missing values are filled with the column mean first (timed too).
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import make_pipeline
        forest = (RandomForestRegressor if task == "regression" else RandomForestClassifier)(**kwargs)
        return make_pipeline(SimpleImputer(strategy="mean"), forest)

    leaves = int(params.get("numLeaves", 31))
    learning_rate = float(params.get("learningRate", 0.1))
    max_bins = int(params.get("maxBins", 255))
    if library == "xgboost":
        import xgboost
        kwargs = dict(tree_method="hist", grow_policy="lossguide", max_leaves=leaves,
                      max_depth=int(params.get("maxDepth", 0)), learning_rate=learning_rate, n_estimators=rounds,
                      max_bin=max_bins, nthread=threads, random_state=seed)
        for ours, theirs in [("l2", "reg_lambda"), ("l1", "reg_alpha"), ("minChildWeight", "min_child_weight"),
                             ("minSplitGain", "gamma"), ("featureFraction", "colsample_bytree"),
                             ("baggingFraction", "subsample")]:
            if ours in params:
                kwargs[theirs] = float(params[ours])
        if "earlyStoppingRounds" in params:
            kwargs["early_stopping_rounds"] = int(params["earlyStoppingRounds"])
        if task == "regression":
            return xgboost.XGBRegressor(objective="reg:squarederror", **kwargs)
        return xgboost.XGBClassifier(objective="binary:logistic" if task == "binary" else "multi:softprob", **kwargs)

    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    kwargs = dict(max_iter=rounds, max_leaf_nodes=leaves, learning_rate=learning_rate, max_bins=max_bins,
                  random_state=seed, early_stopping=False)
    if "maxDepth" in params:
        kwargs["max_depth"] = int(params["maxDepth"])
    if "l2" in params:
        kwargs["l2_regularization"] = float(params["l2"])
    if "minChildSamples" in params:
        kwargs["min_samples_leaf"] = int(params["minChildSamples"])
    if "earlyStoppingRounds" in params:
        kwargs.update(early_stopping=True, n_iter_no_change=int(params["earlyStoppingRounds"]))
    return (HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier)(**kwargs)


def train(args):
    if args.algorithm == "random-forest" and args.library != "sklearn":
        raise SystemExit("random-forest is scikit-learn's only (--library sklearn)")
    params = parse_params(args.param)
    x_train, y_train, features = load(args.train, args.target)
    x_test, y_test, _ = load(args.test, args.target)
    task = args.task
    threads = args.threads
    model = build(args.library, args.algorithm, task, params, threads)
    fit_kwargs = {}
    if args.library == "xgboost" and "earlyStoppingRounds" in params:
        # XGBoost needs an evaluation set: hold out 10% of the training rows, as our trainer does.
        held = np.random.default_rng(int(params.get("seed", 0))).random(len(y_train)) < 0.1
        fit_kwargs = dict(eval_set=[(x_train[held], y_train[held])], verbose=False)
        x_train, y_train = x_train[~held], y_train[~held]

    with threadpool_limits(limits=threads):
        start = time.perf_counter()
        model.fit(x_train, y_train, **fit_kwargs)
        train_seconds = time.perf_counter() - start

        start = time.perf_counter()
        if task == "regression":
            predicted = model.predict(x_test)
            metrics = {"rmse": math.sqrt(mean_squared_error(y_test, predicted)),
                       "mae": mean_absolute_error(y_test, predicted), "r2": r2_score(y_test, predicted)}
        else:
            proba = model.predict_proba(x_test)
            classes = model.classes_ if hasattr(model, "classes_") else model[-1].classes_
            predicted = classes[np.argmax(proba, axis=1)]
            metrics = {}
            if task == "binary":
                metrics["auc"] = roc_auc_score(y_test == classes[1], proba[:, 1])
            metrics["accuracy"] = accuracy_score(y_test, predicted)
            metrics["logLoss"] = log_loss(y_test, proba, labels=classes)
            metrics["f1"] = (f1_score(y_test, predicted, pos_label=classes[1]) if task == "binary"
                             else f1_score(y_test, predicted, average="macro"))
        score_seconds = time.perf_counter() - start

    if args.library == "xgboost":
        iterations = (model.best_iteration + 1) if "earlyStoppingRounds" in params else model.n_estimators
    elif args.algorithm == "random-forest":
        iterations = len(model[-1].estimators_)
    else:
        iterations = model.n_iter_
    print(json.dumps({
        "algorithm": args.algorithm,
        "task": task,
        "rows": int(x_train.shape[0]),
        "features": features,
        "trainSeconds": round(train_seconds, 4),
        "scoreSeconds": round(score_seconds, 4),
        "iterations": int(iterations or 0),
        "metrics": {k: float(v) for k, v in metrics.items()},
    }, separators=(",", ":")))


def main(argv):
    parser = argparse.ArgumentParser(description="XGBoost and scikit-learn tree peers of MlOps.Bench")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="Train, score and print one JSON line of timings and metrics.")
    t.add_argument("--library", required=True, choices=["xgboost", "sklearn"])
    t.add_argument("--train", required=True)
    t.add_argument("--test", required=True)
    t.add_argument("--target", required=True)
    t.add_argument("--algorithm", required=True, choices=["gbdt", "random-forest"])
    t.add_argument("--task", required=True, choices=["binary", "multiclass", "regression"])
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--param", action="append")
    train(t.parse_args(argv[1:]) if argv and argv[0] == "train" else parser.parse_args(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
