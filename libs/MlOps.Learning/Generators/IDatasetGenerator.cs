using MlOps.Learning.Training;

namespace MlOps.Learning.Generators;

/// <summary>
/// A built-in synthetic dataset, modelled on a seed project, so the platform can be demonstrated with no data of one's
/// own. The same request gives the same bytes on every machine and .NET version. See <c>docs/generators.md</c>.
/// </summary>
public interface IDatasetGenerator
{
    /// <summary>The registry name (<c>cart-abandonment</c>, …).</summary>
    string Name { get; }

    /// <summary>The label column.</summary>
    string Target { get; }

    LearningTask Task { get; }

    string Description { get; }

    /// <summary>
    /// Writes a UTF-8 CSV (header row, invariant culture, RFC 4180 quoting, LF line ends) to <paramref name="output"/>
    /// row by row, holding no more than a small buffer. The stream is flushed, not closed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Rows outside 1..<see cref="GeneratorRequest.MaxRows"/>.</exception>
    /// <exception cref="ArgumentException">A drift naming a feature the generator cannot drift, or an invalid drift.</exception>
    Task WriteCsvAsync(Stream output, GeneratorRequest request, CancellationToken ct = default);
}

/// <summary>
/// How many rows, from which seed, and which features to shift (by name; see each generator's drift features in
/// <c>docs/generators.md</c>).
/// </summary>
public sealed record GeneratorRequest(int Rows, int Seed, IReadOnlyDictionary<string, DriftSpec>? Drift = null)
{
    public const int MaxRows = 5_000_000;

    internal void Validate()
    {
        if (Rows is < 1 or > MaxRows)
        {
            throw new ArgumentOutOfRangeException(
                nameof(Rows), Rows, $"A generated dataset has between 1 and {MaxRows:N0} rows; {Rows} were asked for.");
        }
    }
}

/// <summary>
/// A shift of one feature. Numeric: <c>x' = mean + (x − mean)·Scale + MeanShift·stdev</c>, with the mean and standard
/// deviation of the feature's undrifted distribution (documented per generator), applied before rounding and clipping.
/// Categorical (and boolean): values are drawn with <see cref="CategoryMix"/>'s weights (normalized; categories left out
/// get weight 0) instead of the usual ones. Labels keep following the same rule, so drift is a covariate shift (or, for a
/// drifted class mix, a prior shift).
/// </summary>
public sealed record DriftSpec(double MeanShift = 0, double Scale = 1, IReadOnlyDictionary<string, double>? CategoryMix = null);
