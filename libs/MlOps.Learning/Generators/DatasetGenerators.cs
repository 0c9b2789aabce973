using System.Diagnostics.CodeAnalysis;

namespace MlOps.Learning.Generators;

/// <summary>The built-in synthetic datasets, by name.</summary>
public static class DatasetGenerators
{
    public static IReadOnlyList<IDatasetGenerator> All { get; } =
    [
        new CartAbandonmentGenerator(),
        new WinePriceGenerator(),
        new ProductCategoryGenerator(),
        new ReviewSentimentGenerator(),
        new ProductCatalogGenerator(),
    ];

    /// <summary>The generator with this name (ignoring case).</summary>
    public static bool TryGet(string name, [NotNullWhen(true)] out IDatasetGenerator? generator)
    {
        generator = All.FirstOrDefault(g => string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase));
        return generator is not null;
    }
}
