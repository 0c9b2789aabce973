using System.Security.Cryptography;

namespace MlOps.Artifacts.Tests;

/// <summary>What every <see cref="IArtifactStore"/> must do; each store's test class derives from this one.</summary>
public abstract class ArtifactStoreContract
{
    protected const int MiB = GeneratedContent.MiB;

    /// <summary>Big enough to need several part buffers in every store (and a multipart upload with the tests' S3 part size).</summary>
    protected const long LargeLength = 12L * MiB + 12345;

    protected abstract IArtifactStore Store { get; }

    /// <summary>Every object (or file) the store holds, including anything temporary: the tests check none is left over.</summary>
    protected abstract Task<IReadOnlyList<string>> AllObjectsAsync();

    /// <summary>Checks that a failed or cancelled upload of <paramref name="key"/> left no partial upload on the backend.</summary>
    protected virtual Task AssertNoDanglingUploadAsync(string key) => Task.CompletedTask;

    private static string Sha256Of(long length, ulong seed) =>
        Convert.ToHexStringLower(SHA256.HashData(new GeneratedContent(length, seed)));

    [Fact]
    public async Task Put_then_read_returns_the_same_bytes_with_their_size_and_SHA256()
    {
        var info = await Store.PutAsync("datasets/wine/v1/data.csv", new GeneratedContent(LargeLength, seed: 1));

        Assert.Equal("datasets/wine/v1/data.csv", info.Key);
        Assert.Equal(LargeLength, info.Size);
        Assert.Equal(Sha256Of(LargeLength, seed: 1), info.Sha256);
        await using (var read = await Store.OpenReadAsync("datasets/wine/v1/data.csv"))
        {
            await GeneratedContent.AssertSameBytesAsync(new GeneratedContent(LargeLength, seed: 1), read);
        }

        Assert.True(await Store.ExistsAsync("datasets/wine/v1/data.csv"));
        Assert.Equal(info, await Store.GetInfoAsync("datasets/wine/v1/data.csv"));
        Assert.Equal(["datasets/wine/v1/data.csv"], await AllObjectsAsync());
    }

    [Fact]
    public async Task Small_and_empty_objects_round_trip()
    {
        var small = await Store.PutAsync("models/m/1/model.json", new GeneratedContent(1000, seed: 2));
        var empty = await Store.PutAsync("models/m/1/empty", new GeneratedContent(0, seed: 3));

        Assert.Equal(Sha256Of(1000, seed: 2), small.Sha256);
        Assert.Equal(0, empty.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty)), empty.Sha256);
        Assert.Equal(small, await Store.GetInfoAsync("models/m/1/model.json"));
        Assert.Equal(empty, await Store.GetInfoAsync("models/m/1/empty"));
        await using var read = await Store.OpenReadAsync("models/m/1/empty");
        Assert.Equal(-1, read.ReadByte());
    }

    [Fact]
    public async Task Put_replaces_an_existing_object()
    {
        await Store.PutAsync("a/b", new GeneratedContent(5000, seed: 4));
        var second = await Store.PutAsync("a/b", new GeneratedContent(3000, seed: 5));

        Assert.Equal(second, await Store.GetInfoAsync("a/b"));
        await using var read = await Store.OpenReadAsync("a/b");
        await GeneratedContent.AssertSameBytesAsync(new GeneratedContent(3000, seed: 5), read);
    }

    [Fact]
    public async Task Content_addressed_put_of_identical_content_twice_keeps_one_object()
    {
        var first = await Store.PutContentAddressedAsync("datasets/wine", new GeneratedContent(LargeLength, seed: 6));
        var second = await Store.PutContentAddressedAsync("datasets/wine", new GeneratedContent(LargeLength, seed: 6));

        var sha256 = Sha256Of(LargeLength, seed: 6);
        Assert.Equal($"datasets/wine/sha256/{sha256[..2]}/{sha256}", first.Key);
        Assert.Equal(first, second);
        Assert.Equal(LargeLength, first.Size);
        Assert.Equal([first.Key], await AllObjectsAsync());
        Assert.Equal(first, await Store.GetInfoAsync(first.Key));
        await using var read = await Store.OpenReadAsync(first.Key);
        await GeneratedContent.AssertSameBytesAsync(new GeneratedContent(LargeLength, seed: 6), read);
    }

    [Fact]
    public async Task Content_addressed_puts_of_different_content_give_different_objects()
    {
        var a = await Store.PutContentAddressedAsync("p", new GeneratedContent(2000, seed: 7));
        var b = await Store.PutContentAddressedAsync("p", new GeneratedContent(2000, seed: 8));

        Assert.NotEqual(a.Key, b.Key);
        Assert.Equal(new[] { a.Key, b.Key }.Order(StringComparer.Ordinal), await AllObjectsAsync());
    }

    [Fact]
    public async Task Missing_key_is_reported_as_not_found()
    {
        var error = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync("nothing/here"));
        Assert.Equal("nothing/here", error.Key);
        Assert.False(await Store.ExistsAsync("nothing/here"));
        Assert.Null(await Store.GetInfoAsync("nothing/here"));
    }

    [Fact]
    public async Task Delete_removes_the_object_and_is_idempotent()
    {
        await Store.PutAsync("to/delete", new GeneratedContent(100, seed: 9));

        await Store.DeleteAsync("to/delete");
        await Store.DeleteAsync("to/delete");
        await Store.DeleteAsync("never/existed");

        Assert.False(await Store.ExistsAsync("to/delete"));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync("to/delete"));
    }

    public static TheoryData<string> InvalidKeys() =>
    [
        "../x", "/abs", "a//b", "a/./b", "a/../b", "a/", ".", "..", "", "a b", "a\\b", "a:b", "caf\u00e9", "a?b", "a*b",
        new string('k', ArtifactKey.MaxLength + 1),
    ];

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task Invalid_keys_are_refused_by_every_operation(string key)
    {
        await AssertRefused(() => Store.PutAsync(key, new GeneratedContent(10, seed: 10)));
        await AssertRefused(() => Store.PutContentAddressedAsync(key, new GeneratedContent(10, seed: 10)));
        await AssertRefused(() => Store.OpenReadAsync(key));
        await AssertRefused(() => Store.ExistsAsync(key));
        await AssertRefused(() => Store.GetInfoAsync(key));
        await AssertRefused(() => Store.DeleteAsync(key));
        Assert.Empty(await AllObjectsAsync());

        async Task AssertRefused(Func<Task> call)
        {
            var error = await Assert.ThrowsAnyAsync<ArgumentException>(call);
            Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Longest_valid_key_is_accepted()
    {
        var key = string.Join('/', Enumerable.Repeat(new string('k', 63), 7)) + "/" + new string('z', 64);
        Assert.Equal(ArtifactKey.MaxLength, key.Length);

        await Store.PutAsync(key, new GeneratedContent(10, seed: 11));

        Assert.True(await Store.ExistsAsync(key));
    }

    [Fact]
    public async Task Put_whose_source_breaks_half_way_leaves_nothing_behind()
    {
        var content = new GeneratedContent(LargeLength, seed: 12) { BreakAt = 7L * MiB };

        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("broken/object", content));
        await Assert.ThrowsAsync<IOException>(() =>
            Store.PutContentAddressedAsync("broken", new GeneratedContent(LargeLength, seed: 12) { BreakAt = 7L * MiB }));

        Assert.False(await Store.ExistsAsync("broken/object"));
        Assert.Empty(await AllObjectsAsync());
        await AssertNoDanglingUploadAsync("broken/object");
    }

    [Fact]
    public async Task Cancelled_put_leaves_nothing_behind()
    {
        using var cancel = new CancellationTokenSource();
        var content = new GeneratedContent(LargeLength, seed: 13) { CancelAt = 7L * MiB, Cancel = cancel };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync("cancelled/object", content, cancel.Token));
        using var cancel2 = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutContentAddressedAsync(
            "cancelled", new GeneratedContent(LargeLength, seed: 13) { CancelAt = 7L * MiB, Cancel = cancel2 }, cancel2.Token));

        Assert.False(await Store.ExistsAsync("cancelled/object"));
        Assert.Empty(await AllObjectsAsync());
        await AssertNoDanglingUploadAsync("cancelled/object");
    }

    [Fact]
    public async Task Failed_replacement_keeps_the_previous_object()
    {
        var original = await Store.PutAsync("kept/object", new GeneratedContent(3000, seed: 14));

        await Assert.ThrowsAsync<IOException>(() =>
            Store.PutAsync("kept/object", new GeneratedContent(LargeLength, seed: 15) { BreakAt = 7L * MiB }));

        Assert.Equal(original, await Store.GetInfoAsync("kept/object"));
    }
}
