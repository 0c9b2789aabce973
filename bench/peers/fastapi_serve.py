#!/usr/bin/python3
"""The seeds' serving stack, as the peer of our ServingService: FastAPI + uvicorn + scikit-learn.

  /usr/bin/python3 -m uvicorn --app-dir bench/peers fastapi_serve:app --workers 2 --port 8100   (TRAIN_CSV=carts.csv)

At start-up each worker fits the same pipeline the seeds used (imputer + scaler for numbers, one-hot for categories,
LogisticRegression) on the cart-abandonment CSV named by TRAIN_CSV. POST /predict takes one instance in the seeds'
flat JSON shape, validated by a pydantic model, and answers {label, probabilities}. It does not log predictions (the
seeds wrote them to PostgreSQL inline, which would only slow it down): the comparison favours the peer.
Written for Debian's python3-fastapi, python3-uvicorn and python3-sklearn 1.2 under /usr/bin/python3; no pandas.
"""
import csv
import os

import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["session_duration", "pages_visited", "cart_value", "items_in_cart", "device_mobile", "user_returning"]
CATEGORICAL = ["time_of_day"]
TARGET = "abandoned"


class CartSession(BaseModel):
    session_duration: float
    pages_visited: float
    cart_value: float
    time_of_day: str
    device_mobile: bool
    user_returning: bool
    items_in_cart: float


def as_number(value):
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return 1.0 if lowered == "true" else 0.0
    return float(value)


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[as_number(r[c]) for c in NUMERIC] + [r[c] for c in CATEGORICAL] for r in rows], dtype=object)
    y = np.array([r[TARGET] for r in rows])
    return x, y


def fit(path):
    x, y = load(path)
    numeric = list(range(len(NUMERIC)))
    categorical = list(range(len(NUMERIC), len(NUMERIC) + len(CATEGORICAL)))
    features = ColumnTransformer([
        ("numeric", Pipeline([("impute", SimpleImputer(strategy="mean")), ("scale", StandardScaler())]), numeric),
        ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
    ])
    model = Pipeline([("features", features), ("model", LogisticRegression(C=1.0, max_iter=1000))])
    model.fit(x, y)
    return model


pipeline = fit(os.environ.get("TRAIN_CSV", "carts.csv"))
classes = [str(c) for c in pipeline.classes_]
app = FastAPI()


@app.post("/predict")
def predict(session: CartSession):
    row = np.array([[session.session_duration, session.pages_visited, session.cart_value, session.items_in_cart,
                     float(session.device_mobile), float(session.user_returning), session.time_of_day]], dtype=object)
    probabilities = pipeline.predict_proba(row)[0]
    best = int(np.argmax(probabilities))
    return {"label": classes[best], "probabilities": {c: float(p) for c, p in zip(classes, probabilities)}}
