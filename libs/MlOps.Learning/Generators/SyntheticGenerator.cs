using MlOps.Learning.Training;

namespace MlOps.Learning.Generators;

/// <summary>What every generator shares: validation, the seeded random source, drift resolution and the streaming loop.</summary>
internal abstract class SyntheticGenerator : IDatasetGenerator
{
    public abstract string Name { get; }

    public abstract string Target { get; }

    public abstract LearningTask Task { get; }

    public abstract string Description { get; }

    /// <summary>The header, in order.</summary>
    protected abstract IReadOnlyList<string> Columns { get; }

    protected abstract IReadOnlyList<DriftableFeature> DriftableFeatures { get; }

    public async Task WriteCsvAsync(Stream output, GeneratorRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var writeRow = Start(FeatureDrift.Create(Name, DriftableFeatures, request.Drift));
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

    /// <summary>Resolves the drift once per request and returns what writes one row (its fields, not the line end).</summary>
    protected abstract Action<GeneratorRandom, CsvRowWriter> Start(FeatureDrift drift);

    protected static double Clip(double value, double min, double max) => Math.Min(max, Math.Max(min, value));
}
