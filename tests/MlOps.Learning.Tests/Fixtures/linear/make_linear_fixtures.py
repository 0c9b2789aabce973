"""Fixtures for the linear learners and the text featurizer, computed by scikit-learn.

Run with Debian's interpreter, which has python3-sklearn: /usr/bin/python3 make_linear_fixtures.py
Writes small CSV files and JSON files of the numbers scikit-learn computes on them. Seeds are fixed, so a rerun
rewrites identical files. The reference optima come from scikit-learn's Newton solvers (newton-cholesky at tol=1e-14, newton-cg at 1e-10, its floor here): its lbfgs stops
on a relative-objective test (ftol = 64 eps) and leaves coefficients off by ~1e-4 relative in the flat direction that
one-hot columns plus an intercept create.
"""
import json
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import OneHotEncoder, StandardScaler

L2 = 2.5  # λ: LogisticRegression(C=1/λ), Ridge(alpha=λ)
NUMERIC = ["x1", "x2", "x3", "x4"]
CATEGORICAL = "color"
COLORS = ["red", "green", "blue", "amber"]


def write_csv(path, columns, rows):
    with open(path, "w", encoding="utf-8") as out:
        out.write(",".join(columns) + "\n")
        for row in rows:
            out.write(",".join(row) + "\n")


def tabular(seed, n):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(NUMERIC))) * np.array([1.0, 10.0, 0.1, 3.0]) + np.array([0.0, 50.0, -2.0, 1.0])
    color = rng.choice(COLORS, size=n, p=[0.4, 0.3, 0.2, 0.1])
    return x, color


def fit_features(x, color):
    transformer = ColumnTransformer([
        ("num", StandardScaler(), list(range(len(NUMERIC)))),
        ("cat", OneHotEncoder(categories=[sorted(COLORS)]), [len(NUMERIC)]),
    ])
    frame = np.empty((len(x), len(NUMERIC) + 1), dtype=object)
    frame[:, : len(NUMERIC)] = x
    frame[:, len(NUMERIC)] = color
    return transformer.fit_transform(frame).astype(float)


def coefficients(coef):
    """Maps a coefficient row to feature names: numeric columns, then one per color."""
    named = {name: float(coef[i]) for i, name in enumerate(NUMERIC)}
    for j, value in enumerate(sorted(COLORS)):
        named[f"{CATEGORICAL}={value}"] = float(coef[len(NUMERIC) + j])
    return named


def rows_of(x, color, target):
    return [[repr(float(v)) for v in x[i]] + [color[i], str(target[i])] for i in range(len(x))]


def binary():
    x, color = tabular(11, 600)
    logit = 0.8 * x[:, 0] - 0.05 * (x[:, 1] - 50) + 3.0 * (x[:, 2] + 2) + np.where(color == "red", 0.7, -0.2)
    y = (np.random.default_rng(12).random(600) < 1 / (1 + np.exp(-logit))).astype(int)
    labels = np.where(y == 1, "yes", "no")
    write_csv("binary.csv", NUMERIC + [CATEGORICAL, "label"], rows_of(x, color, labels))
    features = fit_features(x, color)
    model = LogisticRegression(C=1 / L2, tol=1e-14, max_iter=1000, solver="newton-cholesky").fit(features, labels)
    return {
        "l2": L2, "target": "label", "classes": [str(c) for c in model.classes_],
        "coefficients": [coefficients(model.coef_[0])], "intercepts": [float(model.intercept_[0])],
        "probabilities": model.predict_proba(features)[:5].tolist(),
    }


def multiclass():
    x, color = tabular(21, 700)
    scores = np.stack([x[:, 0], 0.1 * (x[:, 1] - 50), -x[:, 3] / 3 + (color == "blue")], axis=1)
    rng = np.random.default_rng(22)
    classes = np.array(["ant", "bee", "cat"])
    y = classes[np.argmax(scores + rng.gumbel(size=scores.shape), axis=1)]
    write_csv("multiclass.csv", NUMERIC + [CATEGORICAL, "species"], rows_of(x, color, y))
    features = fit_features(x, color)
    model = LogisticRegression(C=1 / L2, tol=1e-10, max_iter=1000, multi_class="multinomial", solver="newton-cg").fit(features, y)
    return {
        "l2": L2, "target": "species", "classes": [str(c) for c in model.classes_],
        "coefficients": [coefficients(row) for row in model.coef_], "intercepts": model.intercept_.tolist(),
        "probabilities": model.predict_proba(features)[:5].tolist(),
    }


def regression():
    x, color = tabular(31, 400)
    y = 2.0 * x[:, 0] + 0.3 * x[:, 1] - 5 * x[:, 2] + np.where(color == "amber", 4.0, 0.0)
    y = y + np.random.default_rng(32).normal(scale=0.5, size=len(y))
    write_csv("regression.csv", NUMERIC + [CATEGORICAL, "price"], rows_of(x, color, [repr(float(v)) for v in y]))
    features = fit_features(x, color)
    model = Ridge(alpha=L2, tol=1e-12).fit(features, y)
    return {
        "l2": L2, "target": "price", "classes": [],
        "coefficients": [coefficients(model.coef_)], "intercepts": [float(model.intercept_)],
        "predictions": model.predict(features)[:5].tolist(),
    }


TEXTS = [
    "The wine is fruity, with notes of cherry and oak.",
    "Crisp apple; bright acidity!  Crisp finish.",
    "Élégant et équilibré — café, cuir et épices.",
    "a b c",
    "",
    "Oak oak OAK oak: the oakiest wine_of the year 2019",
    "x",
    "Dark chocolate and plum, then a long, long finish",
]


def text():
    bits = 10
    words = HashingVectorizer(n_features=2 ** bits, alternate_sign=False, norm=None, ngram_range=(1, 2))
    chars = HashingVectorizer(n_features=2 ** bits, alternate_sign=False, norm=None, analyzer="char_wb", ngram_range=(3, 3))
    counts = words.transform(TEXTS) + chars.transform(TEXTS)
    tfidf = TfidfTransformer(norm="l2", smooth_idf=True).fit(counts)
    vectors = tfidf.transform(counts).tocsr()
    documents = []
    for i in range(len(TEXTS)):
        row = vectors.getrow(i)
        documents.append({"indices": row.indices.tolist(), "values": row.data.tolist()})
    return {"hashBits": bits, "texts": TEXTS, "idf": tfidf.idf_.tolist(), "documents": documents}


if __name__ == "__main__":
    for name, make in [("binary", binary), ("multiclass", multiclass), ("regression", regression), ("text", text)]:
        with open(f"{name}.json", "w", encoding="utf-8") as out:
            json.dump(make(), out, indent=1)
            out.write("\n")
