using MlOps.Learning.Training;

namespace MlOps.Learning.Generators;

/// <summary>What every CSV generator shares: validation, the seeded random source, drift resolution and the streaming loop.</summary>
internal abstract class SyntheticGenerator : IDatasetGenerator
{
    public string Format => Contracts.Datasets.DatasetFormats.Csv;

    public int MaxRows => GeneratorRequest.MaxRows;

    public virtual double? DefaultOverlap => null;

    public abstract string Name { get; }

    public abstract string Target { get; }

    public abstract LearningTask Task { get; }

    public abstract string Description { get; }

    /// <summary>The header, in order.</summary>
    protected abstract IReadOnlyList<string> Columns { get; }

    protected abstract IReadOnlyList<DriftableFeature> DriftableFeatures { get; }

    public async Task WriteAsync(Stream output, GeneratorRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(request);
        var overlap = request.Validate(this);
        var writeRow = Start(FeatureDrift.Create(Name, DriftableFeatures, request.Drift), overlap);
        var random = new GeneratorRandom(request.Seed);

        await using var csv = new CsvRowWriter(output);
        foreach (var column in Columns)
        {
            csv.Text(column);
        }

        csv.EndRow();
        for (var row = 0; row < request.Rows; row++)
        {
            writeRow(random, csv);
            csv.EndRow();
            if (csv.IsFull)
            {
                await csv.FlushAsync(ct);
            }
        }

        await csv.CompleteAsync(ct);
    }

    /// <summary>
    /// Resolves the drift (and the overlap, for a generator with <see cref="DefaultOverlap"/>) once per request and
    /// returns what writes one row (its fields, not the line end).
    /// </summary>
    protected abstract Action<GeneratorRandom, CsvRowWriter> Start(FeatureDrift drift, double overlap);

    protected static double Clip(double value, double min, double max) => Math.Min(max, Math.Max(min, value));
}
