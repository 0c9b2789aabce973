"""A CSV with every column type and the profile numpy computes on it, independently of the C# profiler.

Run with Debian's interpreter: /usr/bin/python3 make_profile_fixture.py (numpy 1.24). Seeded: a rerun writes identical files.
Conventions checked: population standard deviation, numpy's default (linear) quantiles, np.histogram with 20 bins,
distinct = distinct spellings of present values, missing = empty field or NA/N/A/NaN/null/None (any case).
"""
import csv
import json
import numpy as np

MISSING = {"na", "n/a", "nan", "null", "none", ""}
rng = np.random.default_rng(7)
n = 3000
amount = rng.lognormal(mean=3, sigma=0.8, size=n).round(3)
count = rng.integers(0, 40, size=n)
city = rng.choice(["paris", "lyon", "nice", "lille", "brest"], size=n, p=[0.4, 0.25, 0.15, 0.15, 0.05])
member = rng.choice(["true", "false"], size=n, p=[0.3, 0.7])
words = ["fresh", "bread", "with", "a", "crisp", "crust", "and", "soft", "crumb", "baked", "daily", "in", "town"]
notes = [" ".join(rng.choice(words, size=rng.integers(4, 12))) for _ in range(n)]
rows = []
for i in range(n):
    row = [repr(float(amount[i])), str(int(count[i])), str(city[i]), str(member[i]), notes[i]]
    if i % 37 == 0:
        row[0] = ""
    if i % 53 == 0:
        row[1] = "NA"
    if i % 91 == 0:
        row[2] = "null"
    rows.append(row)

with open("profile.csv", "w", encoding="utf-8", newline="") as out:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["amount", "count", "city", "member", "note"])
    writer.writerows(rows)

columns = list(zip(*rows))


def present(values):
    return [v for v in values if v.strip().lower() not in MISSING]


def numeric(name, values):
    kept = present(values)
    x = np.array([float(v) for v in kept])
    edges_counts = np.histogram(x, bins=20)
    return {
        "name": name, "type": "numeric", "missing": len(values) - len(kept), "distinct": len(set(kept)),
        "min": float(x.min()), "max": float(x.max()), "mean": float(x.mean()), "std": float(x.std()),
        "quantiles": [float(np.quantile(x, q)) for q in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)],
        "histogramEdges": edges_counts[1].tolist(), "histogramCounts": edges_counts[0].tolist(),
    }


def categorical(name, values):
    kept = present(values)
    uniques, counts = np.unique(kept, return_counts=True)
    top = sorted(zip(uniques.tolist(), counts.tolist()), key=lambda p: (-p[1], p[0]))
    return {"name": name, "type": "categorical", "missing": len(values) - len(kept), "distinct": len(uniques),
            "top": [[v, int(c)] for v, c in top]}


def boolean(name, values):
    kept = present(values)
    return {"name": name, "type": "boolean", "missing": len(values) - len(kept), "distinct": len(set(kept)),
            "true": sum(1 for v in kept if v.lower() == "true"), "false": sum(1 for v in kept if v.lower() == "false")}


def text(name, values):
    kept = present(values)
    lengths = np.array([len(v) for v in kept])
    word_counts = np.array([len(v.split()) for v in kept])
    return {"name": name, "type": "text", "missing": len(values) - len(kept), "distinct": len(set(kept)),
            "minLength": int(lengths.min()), "maxLength": int(lengths.max()),
            "meanLength": float(lengths.mean()), "meanWords": float(word_counts.mean())}


profile = {"rows": n, "columns": [
    numeric("amount", columns[0]), numeric("count", columns[1]), categorical("city", columns[2]),
    boolean("member", columns[3]), text("note", columns[4]),
]}
with open("profile.json", "w", encoding="utf-8") as out:
    json.dump(profile, out, indent=1)
    out.write("\n")
