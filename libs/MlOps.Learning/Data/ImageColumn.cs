namespace MlOps.Learning.Data;

/// <summary>
/// Pictures, by the path of their file inside the dataset's archive (<see cref="DatasetArchive"/>), relative to its
/// CSV as written there; a missing value is null.
/// </summary>
public sealed class ImageColumn(string name, string?[] files) : DataColumn(name)
{
    public string?[] Files { get; } = files;

    public override ColumnType Type => ColumnType.Image;

    public override int Length => Files.Length;

    public override bool IsMissing(int row) => Files[row] is null;

    public override DataColumn Take(ReadOnlySpan<int> rows)
    {
        var files = new string?[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            files[i] = Files[rows[i]];
        }

        return new ImageColumn(Name, files);
    }
}
