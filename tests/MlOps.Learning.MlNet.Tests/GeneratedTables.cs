using MlOps.Learning.Data;
using MlOps.Learning.Generators;

namespace MlOps.Learning.MlNet.Tests;

/// <summary>A built-in generator's rows, split into training and validation rows as a job splits them.</summary>
internal static class GeneratedTables
{
    public static (DataTable Training, DataTable Validation, IDatasetGenerator Generator) Split(string name, int rows, int seed = 7)
    {
        if (!DatasetGenerators.TryGet(name, out var generator))
        {
            throw new InvalidOperationException(name);
        }

        using var stream = new MemoryStream();
        generator.WriteAsync(stream, new GeneratorRequest(rows, seed)).GetAwaiter().GetResult();
        stream.Position = 0;
        var table = CsvTableReader.Read(stream);
        var split = DataSplit.Split(table.RowCount, 0.8, 0.2, seed);
        return (table.Take(split.Train), table.Take(split.Validation), generator);
    }
}
