using System.Text;
using MlOps.Learning.Data;

namespace MlOps.Learning.Tests.Data;

public class CsvFormatTests
{
    [Fact]
    public void Missing_value_tokens_are_recognized_in_any_case_and_with_spaces_around_them()
    {
        var table = CsvText.Read(CsvText.Column("x", ["1", "\"\"", "NA", "n/a", "nan", "NULL", "none", "  ", " NA ", "2"]));

        var x = (NumericColumn)table["x"];
        Assert.Equal(8, x.MissingCount());
        Assert.Equal([1, 2], x.Values.Where(v => !double.IsNaN(v)));
    }

    [Fact]
    public void The_missing_value_tokens_can_be_replaced()
    {
        var options = new CsvReadOptions { MissingTokens = ["-999", "?"] };

        var table = CsvText.Read("a,b\n1,x\n-999,?\n3,NA\n", options);

        Assert.True(table["a"].IsMissing(1));
        var b = (CategoricalColumn)table["b"];
        Assert.Equal(["x", "NA"], b.Categories);
        Assert.True(b.IsMissing(1));
    }

    [Fact]
    public void Quoted_fields_keep_separators_line_breaks_and_escaped_quotes()
    {
        var table = CsvTableReader.ReadFile(Fixture.PathOf("data/quoted.csv"));

        Assert.Equal(3, table.RowCount);
        var name = (CategoricalColumn)table["name"];
        Assert.Equal(["Smith, John", "multi\r\nline", "plain"], name.Categories);
        var quote = (CategoricalColumn)table["quote"];
        Assert.Equal("He said \"hi\"", quote.ValueAt(0));
        Assert.Equal("two\nbreaks\nhere", quote.ValueAt(1));
        Assert.True(quote.IsMissing(2));
        Assert.Equal([1, 2, 3], ((NumericColumn)table["n"]).Values);
    }

    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_first_column_name()
    {
        var table = CsvTableReader.ReadFile(Fixture.PathOf("data/bom.csv"));

        Assert.Equal("city", table.Columns[0].Name);
        Assert.Equal(["Zürich", "Genève"], ((CategoricalColumn)table["city"]).Categories);
        Assert.Equal([421878, 203856], ((NumericColumn)table["population"]).Values);
    }

    [Fact]
    public void Another_delimiter_can_be_chosen()
    {
        var table = CsvText.Read("a;b\n1,5;x\n", new CsvReadOptions { Delimiter = ';' });

        Assert.Equal(["1,5"], ((CategoricalColumn)table["a"]).Categories);
        Assert.Equal(["x"], ((CategoricalColumn)table["b"]).Categories);
    }

    [Fact]
    public void Empty_lines_are_skipped_and_header_names_are_trimmed()
    {
        var table = CsvText.Read("a , b\n\n1,2\n\n3,4\n");

        Assert.Equal(2, table.RowCount);
        Assert.Equal([2, 4], ((NumericColumn)table["b"]).Values);
    }

    [Fact]
    public void The_stream_stays_open_and_is_read_from_its_position()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("skipped\na\n1\n"));
        stream.Position = "skipped\n".Length;

        var table = CsvTableReader.Read(stream);

        Assert.Equal(1, table.RowCount);
        Assert.True(stream.CanRead);
    }

    [Fact]
    public void Reading_stops_when_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() =>
            CsvTableReader.ReadFile(Fixture.PathOf("data/types.csv"), ct: cancelled.Token));
    }
}
