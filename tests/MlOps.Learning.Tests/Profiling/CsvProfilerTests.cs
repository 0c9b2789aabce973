using System.Text;
using MlOps.Contracts.Datasets;
using MlOps.Learning.Data;
using MlOps.Learning.Profiling;

namespace MlOps.Learning.Tests.Profiling;

public sealed class CsvProfilerTests
{
    [Fact]
    public void Every_column_summary_equals_numpys_computation_on_the_same_file()
    {
        var expected = Fixture.Json("profile/profile.json");
        using var file = File.OpenRead(Fixture.PathOf("profile/profile.csv"));

        var profile = CsvProfiler.Profile(file);

        Assert.Equal(expected.GetProperty("rows").GetInt64(), profile.Rows);
        foreach (var reference in expected.GetProperty("columns").EnumerateArray())
        {
            var column = profile.Columns.Single(c => c.Name == reference.GetProperty("name").GetString());
            Assert.Equal(reference.GetProperty("type").GetString(), column.Type);
            Assert.Equal(reference.GetProperty("missing").GetInt64(), column.Missing);
            Assert.Equal(reference.GetProperty("distinct").GetInt64(), column.Distinct);
            Assert.False(column.DistinctIsEstimate);
            switch (column.Type)
            {
                case "numeric":
                    var numeric = column.Numeric!;
                    Assert.False(numeric.FromSample);
                    Assert.Equal(reference.GetProperty("min").GetDouble(), numeric.Min);
                    Assert.Equal(reference.GetProperty("max").GetDouble(), numeric.Max);
                    Assert.Equal(reference.GetProperty("mean").GetDouble(), numeric.Mean, 1e-9);
                    Assert.Equal(reference.GetProperty("std").GetDouble(), numeric.StandardDeviation, 1e-9);
                    var q = numeric.Quantiles;
                    Assert.Equal(Fixture.Doubles(reference.GetProperty("quantiles")).AsEnumerable(), new[] { q.P1, q.P5, q.P25, q.P50, q.P75, q.P95, q.P99 });
                    Assert.Equal(Fixture.Doubles(reference.GetProperty("histogramEdges")).AsEnumerable(), numeric.Histogram.Edges, new Tolerance(1e-12));
                    Assert.Equal(reference.GetProperty("histogramCounts").EnumerateArray().Select(c => c.GetInt64()), numeric.Histogram.Counts);
                    break;
                case "categorical":
                    var top = reference.GetProperty("top").EnumerateArray()
                        .Select(pair => new CategoryCount(pair[0].GetString()!, pair[1].GetInt64()));
                    Assert.Equal(top, column.TopValues);
                    break;
                case "boolean":
                    Assert.Equal(new BooleanSummary(reference.GetProperty("true").GetInt64(), reference.GetProperty("false").GetInt64()), column.Boolean);
                    break;
                default:
                    var text = column.Text!;
                    Assert.Equal(reference.GetProperty("minLength").GetInt64(), text.MinLength);
                    Assert.Equal(reference.GetProperty("maxLength").GetInt64(), text.MaxLength);
                    Assert.Equal(reference.GetProperty("meanLength").GetDouble(), text.MeanLength, 1e-9);
                    Assert.Equal(reference.GetProperty("meanWords").GetDouble(), text.MeanWords, 1e-9);
                    break;
            }
        }
    }

    [Fact]
    public void The_profile_agrees_with_the_table_reader_on_types()
    {
        var table = CsvTableReader.ReadFile(Fixture.PathOf("profile/profile.csv"));
        using var file = File.OpenRead(Fixture.PathOf("profile/profile.csv"));

        var profile = CsvProfiler.Profile(file);

        Assert.Equal(table.Columns.Select(c => c.Type.ToString().ToLowerInvariant()), profile.Columns.Select(c => c.Type));
    }

    [Fact]
    public void Past_its_bounds_it_samples_quantiles_and_estimates_distinct_values()
    {
        var csv = new StringBuilder("id,x\n");
        for (var i = 0; i < 50_000; i++)
        {
            csv.Append("id-").Append(i).Append(',').Append(i % 1000).Append('\n');
        }

        var profile = CsvProfiler.Profile(
            new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())),
            new ProfileOptions { SampleSize = 5_000, ExactDistinctLimit = 10_000 });

        var id = profile.Columns[0];
        var x = profile.Columns[1];
        Assert.True(id.DistinctIsEstimate);
        Assert.InRange(id.Distinct, 48_000, 52_000);
        Assert.Equal("text", id.Type);
        Assert.True(x.Numeric!.FromSample);
        Assert.Equal(1000, x.Distinct);
        Assert.Equal(499.5, x.Numeric.Mean, 9);
        Assert.InRange(x.Numeric.Quantiles.P50, 470, 530);
        Assert.InRange(x.Numeric.Histogram.Counts.Sum(), 49_900, 50_100);
    }

    [Fact]
    public void The_same_file_always_gets_the_same_profile()
    {
        var bytes = File.ReadAllBytes(Fixture.PathOf("profile/profile.csv"));
        var options = new ProfileOptions { SampleSize = 500 };

        var first = CsvProfiler.Profile(new MemoryStream(bytes), options);
        var second = CsvProfiler.Profile(new MemoryStream(bytes), options);

        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(first),
            System.Text.Json.JsonSerializer.Serialize(second));
    }

    [Fact]
    public void A_numeric_column_says_whether_every_value_is_a_whole_number()
    {
        var profile = CsvProfiler.Profile(new MemoryStream(Encoding.UTF8.GetBytes("counts,prices\n1,1.5\n2,2\n-3,4\n,7\n")));

        Assert.True(profile.Columns.Single(c => c.Name == "counts").Numeric!.WholeNumbers);
        Assert.False(profile.Columns.Single(c => c.Name == "prices").Numeric!.WholeNumbers);
    }

    [Theory]
    [InlineData("", "The file is empty")]
    [InlineData("a,b\n", "has a header but no data rows")]
    [InlineData("a,b\n1,2\n3\n", "Line 3 has 1 field where the header has 2")]
    [InlineData("a,a\n1,2\n", "names column 'a' twice")]
    [InlineData("a,\n1,2\n", "Column 2 of the header (line 1) has an empty name")]
    public void Invalid_files_are_refused_naming_the_line_or_column(string content, string expected)
    {
        var error = Assert.Throws<DataException>(() => CsvProfiler.Profile(new MemoryStream(Encoding.UTF8.GetBytes(content))));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_refused_naming_the_line()
    {
        var bytes = Encoding.UTF8.GetBytes("a,b\n1,2\n").Concat(new byte[] { 0xff, 0xfe, (byte)',', (byte)'3', (byte)'\n' }).ToArray();

        var error = Assert.Throws<DataException>(() => CsvProfiler.Profile(new MemoryStream(bytes)));

        Assert.Contains("Line 3 is not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon * Math.Max(1, Math.Abs(x));

        public int GetHashCode(double obj) => 0;
    }
}
