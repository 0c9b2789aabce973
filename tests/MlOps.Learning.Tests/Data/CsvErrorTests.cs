using System.Text;
using MlOps.Learning.Data;

namespace MlOps.Learning.Tests.Data;

public class CsvErrorTests
{
    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("\uFEFF")]
    public void A_file_without_a_header_is_empty(string text)
    {
        Assert.Equal("The file is empty: the input has no header row.", CsvText.ReadError(text));
    }

    [Fact]
    public void An_empty_file_is_named_by_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"empty-{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(path, []);
        try
        {
            var error = Assert.Throws<DataException>(() => CsvTableReader.ReadFile(path));

            Assert.Equal($"The file is empty: '{path}' has no header row.", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_header_without_rows_is_rejected()
    {
        Assert.StartsWith("The file has a header but no data rows", CsvText.ReadError("a,b\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_column_name_is_reported_with_its_position()
    {
        Assert.Equal("Column 3 of the header (line 1) has an empty name.", CsvText.ReadError("a,b, \n1,2,3\n"));
    }

    [Fact]
    public void A_duplicate_column_name_is_reported_with_both_positions()
    {
        Assert.Equal(
            "The header (line 1) names column 'a' twice: columns 1 and 3.", CsvText.ReadError("a,b,a\n1,2,3\n"));
    }

    [Fact]
    public void A_row_with_too_few_fields_is_reported_with_its_line()
    {
        Assert.Equal("Line 3 has 4 fields where the header has 5.", CsvText.ReadError("a,b,c,d,e\n1,2,3,4,5\n1,2,3,4\n"));
    }

    [Fact]
    public void Line_numbers_count_the_lines_inside_quoted_fields()
    {
        var message = CsvText.ReadError("a,b\n\"x\ny\nz\",1\n2,3,4\n");

        Assert.Equal("Line 5 has 3 fields where the header has 2.", message);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_reported_with_their_line()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("a,b\n1,2\n3,"), 0xFF, .. Encoding.UTF8.GetBytes("x\n")];

        var error = Assert.Throws<DataException>(() => CsvText.Read(bytes));

        Assert.StartsWith("Line 3 is not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quote_that_is_never_closed_is_reported_with_its_line()
    {
        var message = CsvText.ReadError("a,b\n1,2\n3,\"open\n4,5\n");

        Assert.StartsWith("The file is not valid CSV:", message, StringComparison.Ordinal);
        Assert.Contains("line 3", message, StringComparison.Ordinal);
    }
}
