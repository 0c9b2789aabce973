namespace MlOps.Learning.Optimization;

/// <summary>Settings of the L-BFGS minimizer.</summary>
public sealed record LbfgsOptions
{
    /// <summary>Correction pairs kept for the inverse-Hessian estimate (10–20 is usual).</summary>
    public int HistorySize { get; init; } = 10;

    public int MaxIterations { get; init; } = 1000;

    /// <summary>
    /// Stop when the objective's mean relative improvement over the last <see cref="ImprovementWindow"/> iterations
    /// falls below this; zero turns the test off, leaving the gradient test and the iteration limit.
    /// </summary>
    public double Tolerance { get; init; } = 1e-7;

    public int ImprovementWindow { get; init; } = 5;

    /// <summary>Stop when the gradient's infinity norm falls below this.</summary>
    public double GradientTolerance { get; init; } = 1e-9;

    public void Validate()
    {
        if (HistorySize is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(HistorySize), HistorySize, "HistorySize must be between 1 and 100.");
        }

        if (MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1.");
        }

        if (!(Tolerance >= 0) || !(GradientTolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerances must be zero or positive.");
        }

        if (ImprovementWindow < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ImprovementWindow), ImprovementWindow, "ImprovementWindow must be at least 1.");
        }
    }
}

/// <summary>How a minimization ended.</summary>
public sealed record LbfgsResult(double Objective, int Iterations, int Evaluations, string StopReason);

/// <summary>A differentiable objective: returns f(x) and writes ∇f(x) into <c>gradient</c>.</summary>
public interface IDifferentiableFunction
{
    int Dimension { get; }

    double Evaluate(ReadOnlySpan<double> x, Span<double> gradient);
}
