"""Writes the drift-statistics fixtures: inputs plus the numbers SciPy computes on them.

Run with Debian's interpreter, which has SciPy 1.10.1 and numpy 1.24 (the pyenv python3 on PATH has neither):
    /usr/bin/python3 tests/MlOps.Learning.Tests/Fixtures/drift/make_drift_fixtures.py
Seeds are fixed, so a rerun with the same numpy and SciPy rewrites identical files. Random samples are rounded to
6 decimals before SciPy sees them, so the JSON holds exactly the values the expected numbers were computed on.

The incomplete-gamma grid also holds mpmath's values (Debian's python3-mpmath, 50 digits) as the exact reference.
Evidently is not installed here: the PSI and z-test cases use copies of Evidently's get_binned_data / psi and
proportions_diff_z_stat_ind (see the functions below), with SciPy and numpy doing the arithmetic.
"""

import json
import math
import pathlib
import warnings

import mpmath
import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance

HERE = pathlib.Path(__file__).resolve().parent
RNG = np.random.default_rng(20261129)


def write(name, content):
    content = {"scipy_version": scipy.__version__, "numpy_version": np.__version__, **content}
    # Compact separators keep the large samples small; json writes floats with repr (round-trips exactly).
    (HERE / name).write_text(json.dumps(content, separators=(",", ":")) + "\n")


def floats(values):
    return [float(v) for v in values]


def sample(kind, n, shift=0.0):
    if kind == "normal":
        values = RNG.normal(shift, 1.0, n)
    elif kind == "exponential":
        values = RNG.exponential(1.0, n) + shift
    elif kind == "integers":
        values = RNG.integers(0, 6, n).astype(float) + shift
    else:
        raise ValueError(kind)
    return np.round(values, 6)


# ---- Kolmogorov–Smirnov -------------------------------------------------------------------------------------------

def ks_case(name, a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fall-back from exact to asymptotic would warn; none of these cases should
        result = stats.ks_2samp(a, b, alternative="two-sided", method="auto")
    return {"name": name, "reference": floats(a), "current": floats(b),
            "statistic": float(result.statistic), "pvalue": float(result.pvalue)}


def ks_small_cases():
    cases = []
    for n1, n2 in [(1, 1), (1, 2), (2, 3), (3, 5), (4, 4), (5, 8), (8, 7), (6, 6), (1, 8), (7, 2)]:
        cases.append(ks_case(f"tiny_{n1}_{n2}", sample("normal", n1), sample("normal", n2, 0.5)))
    cases.append(ks_case("equal_50", sample("normal", 50), sample("normal", 50, 0.3)))
    cases.append(ks_case("equal_200", sample("normal", 200), sample("normal", 200, 0.1)))
    cases.append(ks_case("equal_400_far", sample("normal", 400), sample("normal", 400, 1.0)))
    cases.append(ks_case("unequal_37_91", sample("normal", 37), sample("exponential", 91)))
    cases.append(ks_case("unequal_100_250", sample("normal", 100), sample("normal", 250, 0.2)))
    cases.append(ks_case("unequal_1000_30", sample("exponential", 1000), sample("exponential", 30, 0.1)))
    cases.append(ks_case("ties_60_80", sample("integers", 60), sample("integers", 80)))
    cases.append(ks_case("ties_100_100", sample("integers", 100), sample("integers", 100, 1.0)))
    cases.append(ks_case("ties_across_samples_500_300", sample("integers", 500), sample("integers", 300)))
    same = sample("normal", 40)
    cases.append(ks_case("identical_40", same, same.copy()))
    cases.append(ks_case("disjoint_20_30", np.round(RNG.uniform(0, 1, 20), 6), np.round(RNG.uniform(2, 3, 30), 6)))
    cases.append(ks_case("disjoint_9_9", np.round(RNG.uniform(0, 1, 9), 6), np.round(RNG.uniform(2, 3, 9), 6)))
    return cases


def ks_distribution_grid():
    """kstwo.sf(x, n) over every branch of _kolmogn (Ruben-Gambino, DMTW, Pomeranz, Pelz-Good, Smirnov)."""
    rows = []
    for n in [1, 2, 5, 10, 50, 140, 141, 500, 1000, 6667, 10000, 100000, 100001, 2000000]:
        xs = set([0.5 / n, 0.7 / n, 1.0 / n, 0.9 / n + 0.0, 0.3, 0.5, 0.6, 0.99, 1 - 1.0 / (n + 1)])
        for c in [0.2, 0.5, 0.8, 0.9, 1.0, 1.3, 1.6, 2.0, 2.5, 3.0, 5.0, 10.0, 19.0, 20.0]:
            xs.add(c / math.sqrt(n))
        for x in [1.2 * (1.4 / n) ** (2 / 3), 0.9 * (1.4 / n) ** (2 / 3)]:
            xs.add(x)
        for x in sorted(xs):
            if 0 < x < 1:
                rows.append([n, x, float(stats.kstwo.sf(x, n)), float(special.smirnov(n, x))])
    return rows


def write_ks():
    write("ks_small.json", {"cases": ks_small_cases(), "kstwo_sf_grid": {
        "columns": ["n", "x", "kstwo_sf", "smirnov"], "rows": ks_distribution_grid()}})
    # Large samples, each in its own file: the exact path at large n, and the asymptotic path (max(n1, n2) > 10000).
    write("ks_exact_3000_5000.json", {"cases": [ks_case("exact_3000_5000", sample("normal", 3000), sample("normal", 5000, 0.05))]})
    write("ks_exact_4000_4000.json", {"cases": [ks_case("exact_4000_4000", sample("normal", 4000), sample("normal", 4000, 0.03))]})
    write("ks_asymptotic_12000_15000.json", {"cases": [ks_case("asymptotic_12000_15000", sample("normal", 12000), sample("normal", 15000))]})
    write("ks_asymptotic_20000_20000.json", {"cases": [ks_case("asymptotic_20000_20000", sample("normal", 20000), sample("normal", 20000, 0.05))]})
    # Data the C# side rebuilds from the formula (no JSON samples): the asymptotic path's Durbin-matrix branch, where
    # d is tiny, and a small sample against a large one (en rounds to 1: Ruben-Gambino / Pomeranz branches).
    grid_a = (np.arange(12000) + 0.5) / 12000
    grid_b = (np.arange(15000) + 0.5) / 15000 + 0.0008
    small_b = np.array([0.25, 0.5, 0.75])
    write("ks_formula.json", {"cases": [
        {"name": "grid_12000_15000_shift_0.0008", **expected(grid_a, grid_b)},
        {"name": "grid_12000_vs_three_values", **expected(grid_a, small_b)},
        {"name": "grid_15000_vs_one_value", **expected(grid_b, np.array([0.9]))},
    ], "fallback_cases": [
        # Interleaved samples 2i and 2i + 1 (i < n): D = 1/n, where _compute_prob_outside_square rounds to just above 1,
        # so ks_2samp warns and falls back to the asymptotic p-value.
        {"name": f"interleaved_{n}", "n": n, **expected_fallback(2.0 * np.arange(n), 2.0 * np.arange(n) + 1)}
        for n in [5, 1000, 10000]
    ]})


def expected_fallback(a, b):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = expected(a, b)
    assert any("Exact calculation unsuccessful" in str(w.message) for w in caught), "expected the fall-back warning"
    return result


def expected(a, b):
    result = stats.ks_2samp(a, b, alternative="two-sided", method="auto")
    return {"statistic": float(result.statistic), "pvalue": float(result.pvalue)}


# ---- chi-square, incomplete gamma, erfc -----------------------------------------------------------------------------

def chisquare_case(name, observed, expected_counts):
    result = stats.chisquare(observed, expected_counts)
    return {"name": name, "observed": floats(observed), "expected": floats(expected_counts),
            "statistic": float(result.statistic), "pvalue": float(result.pvalue)}


def scaled_expected(observed, shares):
    shares = np.asarray(shares, dtype=float)
    return shares / shares.sum() * np.sum(observed)


def gamma_row(a, x):
    """SciPy's Q and P, and mpmath's at 50 digits: for large a Cephes forms a ln x − x − ln Γ(a) directly, so SciPy's
    own values carry ~1e-12 relative rounding there; the 1e-12 check of the C# functions is against mpmath."""
    with mpmath.workdps(50):
        q = mpmath.gammainc(a, x, mpmath.inf, regularized=True)
        p = mpmath.gammainc(a, 0, x, regularized=True)
    return [a, x, float(special.gammaincc(a, x)), float(special.gammainc(a, x)), float(q), float(p)]


def write_chisquare():
    cases = []
    cases.append(chisquare_case("two_categories", [48.0, 52.0], [50.0, 50.0]))
    cases.append(chisquare_case("perfect_fit", [10.0, 20.0, 30.0], [10.0, 20.0, 30.0]))
    obs = RNG.multinomial(12, [0.05, 0.1, 0.15, 0.3, 0.4]).astype(float)
    cases.append(chisquare_case("small_expected_counts", obs, scaled_expected(obs, [0.05, 0.1, 0.15, 0.3, 0.4])))
    probs = RNG.dirichlet(np.ones(200))
    obs = RNG.multinomial(5000, probs).astype(float)
    cases.append(chisquare_case("k_200_same_distribution", obs, scaled_expected(obs, probs)))
    obs = RNG.multinomial(5000, RNG.dirichlet(np.ones(200))).astype(float)
    cases.append(chisquare_case("k_200_different_distribution", obs, scaled_expected(obs, probs)))
    probs = RNG.dirichlet(np.ones(1000))
    obs = RNG.multinomial(100000, probs).astype(float)
    cases.append(chisquare_case("k_1000_same_distribution", obs, scaled_expected(obs, probs)))
    obs = np.array([900.0, 50.0, 50.0])
    cases.append(chisquare_case("tiny_p_value", obs, scaled_expected(obs, [1, 1, 1])))
    cases.append(chisquare_case("fractional_frequencies", [0.3, 1.7, 2.5, 0.5], [1.0, 1.0, 1.5, 1.5]))

    gamma_rows = []
    for a in [0.5, 1.0, 1.5, 2.0, 2.5, 4.5, 10.0, 25.5, 50.0, 99.5, 100.0, 250.0, 499.5, 1000.0, 5000.0]:
        for f in [0.01, 0.1, 0.5, 0.9, 0.99, 1.0, 1.01, 1.1, 1.5, 2.0, 3.0, 5.0]:
            x = a * f
            gamma_rows.append(gamma_row(a, x))
        for x in [1e-3, 0.3, 1.0, 7.0, 30.0, 200.0]:
            gamma_rows.append(gamma_row(a, x))
    erfc_rows = [[float(x), float(special.erfc(x))] for x in
                 [-6.0, -3.0, -1.0, -0.5, -0.1, 0.0, 1e-10, 0.1, 0.3, 0.46875, 0.47, 0.5, 1.0, 2.0, 3.0, 3.99, 4.0,
                  4.01, 5.0, 7.5, 10.0, 15.0, 20.0, 26.0, 26.5, 27.0]]
    lgamma_rows = [[x, float(special.gammaln(x))] for x in [0.5, 1.0, 1.5, 2.0, 3.7, 9.99, 10.0, 10.5, 100.0, 1234.5, 1e6]]
    write("chisquare.json", {"cases": cases,
                             "gammaincc_grid": {"columns": ["a", "x", "q", "p", "q_mpmath", "p_mpmath"], "rows": gamma_rows},
                             "erfc_grid": {"columns": ["x", "erfc"], "rows": erfc_rows},
                             "gammaln_grid": {"columns": ["x", "gammaln"], "rows": lgamma_rows}})


# ---- Jensen–Shannon, Wasserstein --------------------------------------------------------------------------------------

def write_jensenshannon():
    cases = []

    def case(name, p, q):
        cases.append({"name": name, "p": floats(p), "q": floats(q), "distance": float(distance.jensenshannon(p, q))})

    case("counts", [10.0, 20.0, 30.0, 40.0], [15.0, 25.0, 25.0, 35.0])
    case("identical", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    case("proportional", [1.0, 2.0, 3.0], [10.0, 20.0, 30.0])
    case("zero_in_one", [5.0, 0.0, 5.0], [3.0, 3.0, 4.0])
    case("zero_in_both", [5.0, 0.0, 5.0, 1.0], [3.0, 0.0, 4.0, 2.0])
    case("disjoint", [1.0, 0.0], [0.0, 1.0])
    case("probabilities", [0.1, 0.2, 0.7], [0.3, 0.3, 0.4])
    case("k_500", RNG.multinomial(20000, RNG.dirichlet(np.ones(500))), RNG.multinomial(30000, RNG.dirichlet(np.ones(500))))
    write("jensenshannon.json", {"cases": cases})


def write_wasserstein():
    cases = []

    def case(name, reference, current):
        distance_ = stats.wasserstein_distance(reference, current)
        cases.append({"name": name, "reference": floats(reference), "current": floats(current),
                      "distance": float(distance_),
                      "normalized": float(distance_ / max(np.std(reference), 0.001))})

    case("normal_shift", sample("normal", 300), sample("normal", 200, 0.4))
    case("same_distribution", sample("exponential", 500), sample("exponential", 700))
    case("ties", sample("integers", 100), sample("integers", 150, 1.0))
    case("single_values", np.array([1.5]), np.array([4.0]))
    case("constant_reference", np.full(50, 3.0), sample("normal", 60, 3.0))
    case("nearly_constant_reference", np.array([1.0, 1.0001, 1.0, 1.0002]), np.array([1.0, 1.5, 2.0]))
    case("large_values", np.round(RNG.normal(1e6, 10.0, 400), 6), np.round(RNG.normal(1e6 + 3, 12.0, 300), 6))
    write("wasserstein.json", {"cases": cases})


# ---- PSI (a copy of Evidently's get_binned_data and psi) ---------------------------------------------------------------

def evidently_binned(reference, current, numerical):
    reference = np.asarray(reference)
    current = np.asarray(current)
    n_vals = len(np.unique(reference))
    if numerical and n_vals > 20:
        bins = np.histogram_bin_edges(np.concatenate([reference, current]), bins="sturges")
        reference_percents = np.histogram(reference, bins)[0] / len(reference)
        current_percents = np.histogram(current, bins)[0] / len(current)
    else:
        keys = sorted(set(reference.tolist()) | set(current.tolist()))
        reference_percents = np.array([np.sum(reference == k) / len(reference) for k in keys])
        current_percents = np.array([np.sum(current == k) / len(current) for k in keys])
    return fill_zeroes(reference_percents), fill_zeroes(current_percents)


def fill_zeroes(percents):
    percents = percents.astype(float).copy()
    smallest = min(percents[percents != 0])
    np.place(percents, percents == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001)
    return percents


def evidently_psi(reference_percents, current_percents):
    value = 0.0
    for r, c in zip(reference_percents, current_percents):
        value += (r - c) * np.log(r / c)
    return float(value)


def write_psi():
    numeric = []

    def numeric_case(name, reference, current):
        r, c = evidently_binned(reference, current, numerical=True)
        numeric.append({"name": name, "reference": floats(reference), "current": floats(current),
                        "reference_shares": floats(r), "current_shares": floats(c), "psi": evidently_psi(r, c)})

    numeric_case("normal_shift", sample("normal", 500), sample("normal", 400, 0.5))
    numeric_case("same_distribution", sample("exponential", 1000), sample("exponential", 800))
    # Current reaches past the reference's range: the pooled edges' outer bins hold no reference value (empty bins).
    numeric_case("current_beyond_reference", sample("normal", 300), sample("normal", 300, 3.0))
    # 20 or fewer distinct reference values: Evidently counts values instead of binning, over the union of values.
    numeric_case("few_distinct_values", sample("integers", 200), np.round(RNG.integers(0, 7, 150).astype(float), 6))
    numeric_case("current_misses_a_value", sample("integers", 200), np.round(RNG.integers(1, 6, 150).astype(float), 6))

    counts = []

    def counts_case(name, reference, current):
        reference = np.asarray(reference, dtype=float)
        current = np.asarray(current, dtype=float)
        r = fill_zeroes(reference / reference.sum())
        c = fill_zeroes(current / current.sum())
        counts.append({"name": name, "reference": floats(reference), "current": floats(current),
                       "reference_shares": floats(r), "current_shares": floats(c), "psi": evidently_psi(r, c)})

    counts_case("categories", [100, 200, 300, 400], [150, 150, 350, 350])
    counts_case("empty_current_category", [100, 200, 300, 400], [0, 250, 350, 400])
    counts_case("empty_reference_category", [100, 0, 300, 600], [100, 50, 250, 600])
    counts_case("rare_category_small_epsilon", [1, 19999, 0], [0, 10000, 5])
    counts_case("identical", [3, 4, 5], [3, 4, 5])
    write("psi.json", {"numeric": numeric, "counts": counts})


# ---- two-proportion z-test (Evidently's proportions_diff_z_stat_ind, p from norm.sf) --------------------------------

def write_ztest():
    cases = []
    for n1, x1, n2, x2 in [(100, 40, 120, 60), (1000, 500, 1000, 500), (50, 1, 70, 9), (20000, 10000, 30000, 16000),
                           (10, 0, 12, 3), (5000, 2500, 5000, 1500), (7, 7, 9, 1)]:
        p1, p2 = x1 / n1, x2 / n2
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
        cases.append({"reference_count": n1, "reference_successes": x1, "current_count": n2,
                      "current_successes": x2, "z": float(z), "pvalue": float(2 * stats.norm.sf(abs(z)))})
    # Pooled proportion 0 or 1: no variance and no difference; the result is defined as z = 0, p = 1 (by hand).
    cases.append({"reference_count": 30, "reference_successes": 0, "current_count": 40, "current_successes": 0,
                  "z": 0.0, "pvalue": 1.0})
    cases.append({"reference_count": 30, "reference_successes": 30, "current_count": 40, "current_successes": 40,
                  "z": 0.0, "pvalue": 1.0})
    write("ztest.json", {"cases": cases})


if __name__ == "__main__":
    write_ks()
    write_chisquare()
    write_jensenshannon()
    write_wasserstein()
    write_psi()
    write_ztest()
