using System.Text;
using MlOps.Learning.Data;
using MlOps.Learning.Generators;
using MlOps.Learning.Training;

namespace MlOps.Learning.Tests.Generators;

public sealed class GeneratorOutputTests
{
    public static TheoryData<string> Names => new(DatasetGenerators.All.Select(g => g.Name));

    [Fact]
    public void Registry_holds_the_five_generators_by_name()
    {
        Assert.Equal(
            ["cart-abandonment", "wine-price", "product-category", "review-sentiment", "product-catalog"],
            DatasetGenerators.All.Select(g => g.Name));
        Assert.True(DatasetGenerators.TryGet("Wine-Price", out var wine));
        Assert.Equal(LearningTask.Regression, wine.Task);
        Assert.Equal("price", wine.Target);
        Assert.False(DatasetGenerators.TryGet("no-such-dataset", out _));
        Assert.All(DatasetGenerators.All, g => Assert.False(string.IsNullOrWhiteSpace(g.Description)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Same_seed_gives_the_same_bytes_and_another_seed_other_bytes(string name)
    {
        var first = Generated.Sha256(Generated.Bytes(name, 3_000, seed: 42));
        var again = Generated.Sha256(Generated.Bytes(name, 3_000, seed: 42));
        var other = Generated.Sha256(Generated.Bytes(name, 3_000, seed: 43));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    /// <summary>
    /// The bytes of seed 7 are pinned: the generators use their own PRNG and only IEEE arithmetic, so a change here
    /// means the generator itself changed (and the documented datasets with it).
    /// </summary>
    [Theory]
    [InlineData("cart-abandonment", "DBF23D5A0869A7D0AB74EA9E50F3A5241A4EBF18E852A9E42640087058BB65BE")]
    [InlineData("wine-price", "3AF7164BEE6F27CF12E5EDDB13A9ADD972937956DF32B50E2DBFE747366E3B03")]
    [InlineData("product-category", "06C2E51C6D5D0DA4DB73CF95ABC8E56ECBFE2A79A0DFED51FCF65CE074E18850")]
    [InlineData("review-sentiment", "A6B4BD53643357C223F0164A317DB226941C6D48675D21BEB56DF85952B74927")]
    public void Output_of_a_seed_is_pinned(string name, string sha256)
    {
        var actual = Generated.Sha256(Generated.Bytes(name, 1_000, seed: 7));

        Assert.True(actual == sha256, $"The SHA-256 of {name}'s seed 7 is {actual}.");
    }

    [Theory]
    [InlineData("cart-abandonment", "session_duration,pages_visited,cart_value,time_of_day,device_mobile,user_returning,items_in_cart,abandoned")]
    [InlineData("wine-price", "country,province,vintage,points,description,price")]
    [InlineData("product-category", "designation,description,category")]
    [InlineData("review-sentiment", "text,sentiment")]
    [InlineData("product-catalog", "title,description,image,price,category")]
    public void Header_and_row_count_are_right(string name, string header)
    {
        var bytes = Generated.Bytes(name, 1_234, seed: 1);
        var lines = Generated.Lines(ProductCatalogTests.CsvOf(bytes));

        Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "no byte-order mark");
        Assert.Equal(header, lines[0]);
        Assert.Equal(1 + 1_234 + 1, lines.Length); // header, rows, and the empty string after the last line end
        Assert.Equal("", lines[^1]);
        Assert.Equal(1_234, Generated.Table(name, 1_234, seed: 1).RowCount);
    }

    [Theory]
    [InlineData("cart-abandonment", "session_duration:Numeric,pages_visited:Numeric,cart_value:Numeric,time_of_day:Categorical,device_mobile:Boolean,user_returning:Boolean,items_in_cart:Numeric,abandoned:Boolean")]
    [InlineData("wine-price", "country:Categorical,province:Categorical,vintage:Numeric,points:Numeric,description:Text,price:Numeric")]
    [InlineData("product-category", "designation:Text,description:Text,category:Categorical")]
    [InlineData("review-sentiment", "text:Text,sentiment:Categorical")]
    [InlineData("product-catalog", "title:Text,description:Text,image:Image,price:Numeric,category:Categorical")]
    public void Csv_loads_with_the_intended_column_types(string name, string types)
    {
        var table = Generated.Table(name, 5_000, seed: 3);

        Assert.Equal(types, string.Join(",", table.Columns.Select(c => $"{c.Name}:{c.Type}")));
        Assert.All(table.Columns, c => Assert.Equal(0, c.MissingCount()));
    }

    [Fact]
    public void Text_with_commas_is_quoted()
    {
        var lines = Generated.Lines(Generated.Bytes("wine-price", 10, seed: 5));

        Assert.All(lines[1..^1], line => Assert.Matches(",\"An? ", line));
        var table = Generated.Table("wine-price", 10, seed: 5);
        var description = ((TextColumn)table["description"]).Values[0]!;
        Assert.Matches("^An? ", description);
        Assert.Contains(", with hints of ", description);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(5_000_001)]
    public void Rows_outside_one_to_five_million_are_refused(int rows)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => Generated.Bytes("cart-abandonment", rows, seed: 1));

        Assert.Equal("Rows", error.ParamName);
        Assert.Contains("between 1 and 5,000,000", error.Message);
    }

    [Fact]
    public async Task Output_is_streamed_without_holding_the_rows()
    {
        // A stream that counts bytes and keeps none: 200,000 rows go through in writes of a bounded size.
        var sink = new CountingStream();
        await DatasetGenerators.All[0].WriteAsync(sink, new GeneratorRequest(200_000, 11, null));

        Assert.True(sink.Length > 5_000_000);
        Assert.True(sink.Writes > 50, $"{sink.Writes} writes");
        Assert.True(sink.LargestWrite <= 1 << 20, $"largest write {sink.LargestWrite} bytes");
    }

    [Fact]
    public async Task Cancellation_stops_the_output()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => DatasetGenerators.All[0].WriteAsync(Stream.Null, new GeneratorRequest(1_000_000, 1, null), cancel.Token));
    }

    private sealed class CountingStream : Stream
    {
        private long _length;

        public int Writes { get; private set; }

        public int LargestWrite { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) =>
            throw new InvalidOperationException("Synchronous writes are not allowed (as on an ASP.NET Core response).");

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count(buffer.Length);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Count(count);
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private void Count(int count)
        {
            _length += count;
            Writes++;
            LargestWrite = Math.Max(LargestWrite, count);
        }
    }
}
