"""Reference training losses for the tree learners, computed by XGBoost (hist, lossguide).

Run with Debian's interpreter, which has python3-xgboost: /usr/bin/python3 make_tree_fixtures.py
Reads ../linear/{binary,regression}.csv, puts every numeric feature on a grid of 101 levels across its range (so no
feature has more than 255 distinct values, and both libraries cut between every pair of neighbouring values: the same
candidate splits), writes the table as {name}.csv and, as {name}.json, the settings and XGBoost's mean training loss
after every round.
The categorical column is left out: the platform splits it natively into sets of categories, which XGBoost 1.7's
one-hot columns cannot match split for split. XGBoost 1.7 starts from a fixed base_score; it is set to the
platform's (the target's mean: the mean value, or the share of class 1).
"""
import csv
import json
import os

import numpy as np
import xgboost

HERE = os.path.dirname(os.path.abspath(__file__))
SETTINGS = {"rounds": 20, "numLeaves": 8, "learningRate": 0.3, "l2": 1.0, "minChildWeight": 0.001, "maxBins": 255}


def load(name):
    with open(os.path.join(HERE, "..", "linear", f"{name}.csv"), encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def build(name, target, objective):
    header, rows = load(name)
    numeric = [c for c in header if c not in (target, "color")]
    grids = {}
    for c in numeric:
        values = [float(row[header.index(c)]) for row in rows]
        grids[c] = (min(values), (max(values) - min(values)) / 100)
    rounded = []
    for row in rows:
        values = []
        for c in numeric:
            low, step = grids[c]
            values.append(f"{low + round((float(row[header.index(c)]) - low) / step) * step:.6g}")
        rounded.append(values + [row[header.index(target)]])
    with open(os.path.join(HERE, f"{name}.csv"), "w", encoding="utf-8") as out:
        out.write(",".join(numeric + [target]) + "\n")
        for row in rounded:
            out.write(",".join(row) + "\n")

    x = np.array([[float(v) for v in row[:len(numeric)]] for row in rounded])
    if objective == "binary:logistic":
        classes = sorted({row[-1] for row in rounded})
        y = np.array([1.0 if row[-1] == classes[1] else 0.0 for row in rounded])
    else:
        y = np.array([float(row[-1]) for row in rounded])
    base = float(y.mean())
    params = {
        "tree_method": "hist", "grow_policy": "lossguide", "max_leaves": SETTINGS["numLeaves"], "max_depth": 0,
        "eta": SETTINGS["learningRate"], "lambda": SETTINGS["l2"], "alpha": 0.0, "gamma": 0.0,
        "min_child_weight": SETTINGS["minChildWeight"], "max_bin": SETTINGS["maxBins"], "objective": objective,
        "base_score": base, "nthread": 1, "eval_metric": "logloss" if objective == "binary:logistic" else "rmse",
    }
    train = xgboost.DMatrix(x, label=y)
    history = {}
    xgboost.train(params, train, num_boost_round=SETTINGS["rounds"], evals=[(train, "train")], evals_result=history,
                  verbose_eval=False)
    losses = history["train"][params["eval_metric"]]
    if objective != "binary:logistic":
        losses = [rmse * rmse for rmse in losses]  # mean squared error, the platform's squared-error loss
    json.dump({"target": target, "settings": SETTINGS, "baseScore": base, "xgboost": xgboost.__version__,
               "trainingLoss": losses}, open(os.path.join(HERE, f"{name}.json"), "w"), indent=1)


build("binary", "label", "binary:logistic")
build("regression", "price", "reg:squarederror")
