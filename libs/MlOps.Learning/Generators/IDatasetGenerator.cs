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

    /// <summary>What it writes: <c>csv</c>, or <c>zip</c> (a CSV and the pictures it names), as <c>DatasetFormats</c> names them.</summary>
    string Format { get; }

    /// <summary>The most rows one request may ask for.</summary>
    int MaxRows { get; }

    /// <summary>
    /// How much its classes share by default, from 0 (each class's words and pictures are its own) to 1 (drawn from any
    /// class); null when the generator has no such setting and refuses <see cref="GeneratorRequest.Overlap"/>.
    /// </summary>
    double? DefaultOverlap { get; }

    /// <summary>
    /// Writes the dataset to <paramref name="output"/>: a UTF-8 CSV (header row, invariant culture, RFC 4180 quoting, LF
    /// line ends) row by row holding no more than a small buffer, or for <c>zip</c> generators an archive of such a CSV
    /// and its pictures. The stream is flushed, not closed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Rows outside 1..<see cref="MaxRows"/>, or an overlap outside 0..1.</exception>
    /// <exception cref="ArgumentException">A drift naming a feature the generator cannot drift, an invalid drift, or an overlap it does not take.</exception>
    Task WriteAsync(Stream output, GeneratorRequest request, CancellationToken ct = default);
}

/// <summary>
/// How many rows, from which seed, which features to shift (by name; see each generator's drift features in
/// <c>docs/generators.md</c>), and how much the classes overlap (for generators that take it; null: their default).
/// </summary>
public sealed record GeneratorRequest(int Rows, int Seed, IReadOnlyDictionary<string, DriftSpec>? Drift = null, double? Overlap = null)
{
    /// <summary>The most rows any generator writes.</summary>
    public const int MaxRows = 5_000_000;

    /// <summary>The overlap to use: the request's, checked, or the generator's default (0 for a generator without one).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2208", Justification = "The exceptions name the request's own properties.")]
    internal double Validate(IDatasetGenerator generator)
    {
        if (Rows < 1 || Rows > generator.MaxRows)
        {
            throw new ArgumentOutOfRangeException(
                nameof(Rows), Rows, $"A generated '{generator.Name}' dataset has between 1 and {generator.MaxRows:N0} rows; {Rows} were asked for.");
        }

        if (Overlap is not { } overlap)
        {
            return generator.DefaultOverlap ?? 0;
        }

        if (generator.DefaultOverlap is null)
        {
            throw new ArgumentException($"The '{generator.Name}' generator has no overlap setting.", nameof(Overlap));
        }

        return overlap is >= 0 and <= 1
            ? overlap
            : throw new ArgumentOutOfRangeException(nameof(Overlap), overlap, $"The overlap is a share from 0 to 1, not {overlap}.");
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
