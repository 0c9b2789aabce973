using System.Globalization;
using System.Text;
using MlOps.Learning.Data;

namespace MlOps.Learning.Tests.Data;

public sealed class CsvLargeFileTests : IDisposable
{
    private const int Rows = 200_000;

    private static readonly string[] Cities = [.. Enumerable.Range(0, 30).Select(i => i % 3 == 0 ? $"New Town {i}" : $"Town{i}")];

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"large-{Guid.NewGuid():N}.csv");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void A_file_of_two_hundred_thousand_rows_loads_with_every_type_and_value()
    {
        WriteFile();

        var table = CsvTableReader.ReadFile(_path);

        Assert.Equal(Rows, table.RowCount);
        Assert.Equal(
            [ColumnType.Numeric, ColumnType.Numeric, ColumnType.Boolean, ColumnType.Categorical, ColumnType.Text],
            table.Columns.Select(c => c.Type));
        var id = (NumericColumn)table["id"];
        Assert.Equal((double)Rows * (Rows - 1) / 2, id.Values.Sum());
        var x = (NumericColumn)table["x"];
        Assert.Equal(Rows / 7 + 1, x.MissingCount());
        Assert.Equal(123 / 8.0 - 50, x.Values[123]);
        var flag = (BooleanColumn)table["flag"];
        Assert.Equal(Rows / 2, flag.Values.Count(v => v));
        var city = (CategoricalColumn)table["city"];
        Assert.Equal(Cities, city.Categories);
        Assert.Equal("Town19", city.ValueAt(Rows - 1));
        var note = (TextColumn)table["note"];
        Assert.Equal("note 199999, with \"quotes\" about item 9", note.Values[Rows - 1]);
    }

    private void WriteFile()
    {
        using var writer = new StreamWriter(_path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.Write("id,x,flag,city,note\n");
        for (var i = 0; i < Rows; i++)
        {
            var x = i % 7 == 0 ? "NA" : ((i % 1000 / 8.0) - 50).ToString(CultureInfo.InvariantCulture);
            var flag = i % 2 == 0 ? "true" : "false";
            writer.Write(
                FormattableString.Invariant($"{i},{x},{flag},{Cities[i % Cities.Length]},\"note {i}, with \"\"quotes\"\" about item {i % 10}\"\n"));
        }
    }
}
