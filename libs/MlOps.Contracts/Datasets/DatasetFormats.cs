namespace MlOps.Contracts.Datasets;

/// <summary>What a dataset version's content is.</summary>
public static class DatasetFormats
{
    /// <summary>A CSV file (<c>text/csv</c>).</summary>
    public const string Csv = "csv";

    /// <summary>A zip archive of one CSV and the images it names (<c>application/zip</c>).</summary>
    public const string Zip = "zip";
}
