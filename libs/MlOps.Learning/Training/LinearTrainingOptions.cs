using System.Globalization;
using MlOps.Learning.Features;
using MlOps.Learning.Optimization;

namespace MlOps.Learning.Training;

/// <summary>How ridge regression is solved.</summary>
public enum LinearSolver
{
    /// <summary>Cholesky for dense features up to 2048 wide, L-BFGS otherwise.</summary>
    Auto,
    Lbfgs,
    Cholesky,
}

/// <summary>Settings of the linear learners (logistic regression and ridge linear regression).</summary>
public sealed record LinearTrainingOptions
{
    /// <summary>
    /// L2 strength λ in <c>Σ loss + ½·λ·‖w‖²</c>: scikit-learn's <c>1/C</c> for logistic regression and its
    /// <c>alpha</c> for Ridge. The intercept is not penalized.
    /// </summary>
    public double L2 { get; init; } = 1.0;

    public LinearSolver Solver { get; init; } = LinearSolver.Auto;

    public LbfgsOptions Lbfgs { get; init; } = new();

    public FeaturizerOptions Featurizer { get; init; } = new();

    /// <summary>Recorded in the model; the linear learners themselves are deterministic.</summary>
    public int Seed { get; init; }

    /// <summary>The SHA-256 of the training data, when the caller knows it, recorded in the model.</summary>
    public string? DataSha256 { get; init; }

    public void Validate()
    {
        if (!(L2 >= 0) || double.IsInfinity(L2))
        {
            throw new ArgumentOutOfRangeException(nameof(L2), L2, "l2 must be a finite number, zero or more.");
        }

        Lbfgs.Validate();
        Featurizer.Validate();
    }

    /// <summary>The parameters as recorded in the model file.</summary>
    public IReadOnlyDictionary<string, string> ToParameters() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["l2"] = L2.ToString("R", CultureInfo.InvariantCulture),
        ["solver"] = Solver.ToString().ToLowerInvariant(),
        ["historySize"] = Lbfgs.HistorySize.ToString(CultureInfo.InvariantCulture),
        ["maxIterations"] = Lbfgs.MaxIterations.ToString(CultureInfo.InvariantCulture),
        ["tolerance"] = Lbfgs.Tolerance.ToString("R", CultureInfo.InvariantCulture),
        ["impute"] = Featurizer.Impute.ToString().ToLowerInvariant(),
        ["standardize"] = Featurizer.Standardize ? "true" : "false",
        ["maxCategories"] = Featurizer.MaxCategories.ToString(CultureInfo.InvariantCulture),
        ["textHashBits"] = Featurizer.TextHashBits.ToString(CultureInfo.InvariantCulture),
    };
}
