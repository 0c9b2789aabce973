"""Writes the metric fixtures: inputs plus every number scikit-learn computes on them.

Run with Debian's interpreter, which has scikit-learn 1.2 (the pyenv python3 on PATH has none):
    /usr/bin/python3 tests/MlOps.Learning.Tests/Fixtures/metrics/make_metrics_fixtures.py
Seeds are fixed, so a rerun with the same numpy and scikit-learn rewrites identical files.
"""

import json
import pathlib
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_fscore_support,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)

HERE = pathlib.Path(__file__).resolve().parent


def write(name, case):
    case["sklearn_version"] = sklearn.__version__
    # json writes floats with repr, the shortest text that reads back to the same double.
    (HERE / name).write_text(json.dumps(case, indent=1) + "\n")


def floats(values):
    return [float(v) for v in values]


def ints(values):
    return [int(v) for v in values]


def binary_case(name, actual, probability, threshold):
    predicted = (probability >= threshold).astype(int)
    write(name, {
        "threshold": threshold,
        "actual": ints(actual),
        "probability": floats(probability),
        "expected": {
            "count": len(actual),
            "accuracy": float(accuracy_score(actual, predicted)),
            # zero_division="warn" is 1.2's default: it warns and returns 0, which the C# side returns silently.
            "precision": float(precision_score(actual, predicted)),
            "recall": float(recall_score(actual, predicted)),
            "f1": float(f1_score(actual, predicted)),
            "roc_auc": float(roc_auc_score(actual, probability)),
            "log_loss": float(log_loss(actual, probability)),
            "confusion_matrix": confusion_matrix(actual, predicted, labels=[0, 1]).tolist(),
        },
    })


def multiclass_case(name, actual, probabilities, class_count):
    predicted = np.argmax(probabilities, axis=1)
    labels = list(range(class_count))
    precision, recall, f1, support = precision_recall_fscore_support(
        actual, predicted, labels=labels, average=None, zero_division=0)
    write(name, {
        "class_count": class_count,
        "actual": ints(actual),
        "probabilities": floats(probabilities.ravel()),
        "expected": {
            "count": len(actual),
            "predicted": ints(predicted),
            "accuracy": float(accuracy_score(actual, predicted)),
            # labels=None: sklearn averages over the classes present in actual or predicted.
            "macro_f1": float(f1_score(actual, predicted, average="macro")),
            "weighted_f1": float(f1_score(actual, predicted, average="weighted")),
            # labels are needed because a class may be absent from actual.
            "log_loss": float(log_loss(actual, probabilities, labels=labels)),
            "confusion_matrix": confusion_matrix(actual, predicted, labels=labels).tolist(),
            "precision": floats(precision),
            "recall": floats(recall),
            "f1": floats(f1),
            "support": ints(support),
        },
    })


def regression_expected(actual, predicted):
    return {
        "count": len(actual),
        "rmse": float(mean_squared_error(actual, predicted, squared=False)),
        "mae": float(mean_absolute_error(actual, predicted)),
        "r2": float(r2_score(actual, predicted)),
    }


def regression_case(name, actual, predicted):
    write(name, {"actual": floats(actual), "predicted": floats(predicted),
                 "expected": regression_expected(actual, predicted)})


def binary_fixtures():
    rng = np.random.default_rng(20240601)
    n = 300
    actual = (rng.random(n) < 0.4).astype(int)
    # One decimal place makes many tied scores, some tied exactly with the threshold.
    probability = np.round(np.clip(0.3 * actual + 0.7 * rng.random(n), 0.0, 1.0), 1)
    probability[rng.choice(n, 12, replace=False)] = 0.0
    probability[rng.choice(n, 12, replace=False)] = 1.0
    # Confident and wrong, so log-loss depends on clipping.
    positive, negative = np.flatnonzero(actual == 1), np.flatnonzero(actual == 0)
    probability[positive[:3]] = 0.0
    probability[negative[:3]] = 1.0
    binary_case("binary_ties.json", actual, probability, 0.5)

    rng = np.random.default_rng(7)
    n = 400
    actual = (rng.random(n) < 0.06).astype(int)
    probability = np.where(actual == 1, rng.beta(3, 4, n), rng.beta(1.2, 6, n))
    binary_case("binary_imbalanced.json", actual, probability, 0.3)

    # No row reaches the threshold: precision and F1 are undefined, and sklearn returns 0.
    rng = np.random.default_rng(11)
    n = 200
    actual = (rng.random(n) < 0.3).astype(int)
    probability = 0.5 * rng.random(n) + 0.3 * actual
    binary_case("binary_no_positive_predictions.json", actual, probability, 0.9)


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def multiclass_fixtures():
    # Three classes; class 2 never occurs in actual but is predicted.
    rng = np.random.default_rng(3)
    n, k = 300, 3
    actual = rng.integers(0, 2, n)
    logits = rng.normal(0.0, 1.0, (n, k))
    logits[np.arange(n), actual] += 1.2
    logits[:, 2] += 0.3
    probabilities = softmax(logits)
    # Rounded rows do not sum to 1, so the renormalisation matters.
    probabilities[:40] = np.round(probabilities[:40], 2)
    # Tied maxima: argmax takes the first.
    probabilities[40:50] = [0.4, 0.4, 0.2]
    probabilities[50:55] = [0.25, 0.375, 0.375]
    # The actual class has probability 0: log-loss depends on clipping.
    probabilities[55:60] = 0.0
    probabilities[np.arange(55, 60), 1 - actual[55:60]] = 1.0
    multiclass_case("multiclass_3.json", actual, probabilities, k)

    # Five classes; class 1 occurs but is never predicted, class 4 neither occurs nor is predicted.
    rng = np.random.default_rng(5)
    n, k = 400, 5
    actual = rng.choice(4, n, p=[0.4, 0.15, 0.3, 0.15])
    logits = rng.normal(0.0, 1.0, (n, k))
    logits[np.arange(n), actual] += 1.5
    logits[:, 1] -= 6.0
    logits[:, 4] -= 8.0
    probabilities = softmax(logits)
    probabilities[:30] = np.round(probabilities[:30], 3)
    multiclass_case("multiclass_5.json", actual, probabilities, k)


def regression_fixtures():
    rng = np.random.default_rng(13)
    n = 300
    actual = 50.0 + 10.0 * rng.normal(size=n)
    predicted = actual + rng.normal(0.0, 3.0, n)
    predicted[:5] = actual[:5]
    regression_case("regression.json", actual, predicted)

    # SS_tot is 0: sklearn returns 0.0 rather than -inf when the predictions are not perfect.
    actual = np.full(50, 3.25)
    predicted = 3.25 + rng.normal(0.0, 0.5, 50)
    regression_case("regression_constant_actual.json", actual, predicted)

    # 10^5 rows defined by a formula whose every value is an exact double, so the test rebuilds the same inputs
    # instead of reading megabytes of JSON. The 1e6 offset makes naive summation lose digits.
    n = 100_000
    i = np.arange(n, dtype=np.int64)
    actual = 1e6 + ((i * 7919) % 10007) / 64.0
    predicted = actual + (((i * 31) % 97) - 48) / 128.0
    write("regression_large.json", {
        "formula": "actual[i] = 1e6 + ((i * 7919) % 10007) / 64; predicted[i] = actual[i] + ((i * 31) % 97 - 48) / 128",
        "expected": regression_expected(actual, predicted),
    })


def main():
    # zero_division warnings are the behaviour under test, not a problem.
    warnings.simplefilter("ignore", UndefinedMetricWarning)
    binary_fixtures()
    multiclass_fixtures()
    regression_fixtures()


if __name__ == "__main__":
    main()
