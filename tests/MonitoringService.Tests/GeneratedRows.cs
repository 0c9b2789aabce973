using System.Text.Json.Nodes;
using MlOps.Learning.Data;
using MlOps.Learning.Generators;

namespace MlOps.MonitoringService.Tests;

/// <summary>Rows of the cart-abandonment generator, as CSV and as instances typed the way the predict API takes them.</summary>
internal static class GeneratedRows
{
    public const string Target = "abandoned";

    public static async Task<byte[]> CsvAsync(GeneratorRequest request)
    {
        Assert.True(DatasetGenerators.TryGet("cart-abandonment", out var generator));
        using var stream = new MemoryStream();
        await generator.WriteAsync(stream, request);
        return stream.ToArray();
    }

    /// <summary>Each row's label, as the model's classes name it (<c>true</c>, <c>false</c>).</summary>
    public static async Task<List<string>> LabelsAsync(GeneratorRequest request)
    {
        var table = CsvTableReader.Read(new MemoryStream(await CsvAsync(request)));
        var target = (BooleanColumn)table[Target];
        return target.Values.Select(value => value ? "true" : "false").ToList();
    }

    /// <summary>Each row without its label: numbers as numbers, booleans as booleans, categories as strings.</summary>
    public static async Task<List<JsonObject>> InstancesAsync(GeneratorRequest request)
    {
        var table = CsvTableReader.Read(new MemoryStream(await CsvAsync(request)));
        var instances = new List<JsonObject>(table.RowCount);
        for (var row = 0; row < table.RowCount; row++)
        {
            var instance = new JsonObject();
            foreach (var column in table.Columns)
            {
                if (column.Name == Target || column.IsMissing(row))
                {
                    continue;
                }

                instance[column.Name] = column switch
                {
                    NumericColumn numeric => JsonValue.Create(numeric.Values[row]),
                    BooleanColumn boolean => JsonValue.Create(boolean.Values[row]),
                    CategoricalColumn categorical => JsonValue.Create(categorical.ValueAt(row)),
                    _ => throw new InvalidOperationException($"Unexpected column {column.Name}"),
                };
            }

            instances.Add(instance);
        }

        return instances;
    }
}
