using MlOps.Artifacts.FileSystem;
using MlOps.TestSupport;

namespace MlOps.Artifacts.Tests;

public sealed class FileSystemArtifactStoreTests : ArtifactStoreContract, IDisposable
{
    private readonly TemporaryDirectory _folder = TemporaryDirectory.Create("artifacts-fs-");
    private readonly FileSystemArtifactStore _store;

    public FileSystemArtifactStoreTests()
    {
        Directory.CreateDirectory(_folder.Combine("root"));
        _store = new FileSystemArtifactStore(_folder.Combine("root"));
    }

    protected override IArtifactStore Store => _store;

    protected override Task<IReadOnlyList<string>> AllObjectsAsync() =>
        Task.FromResult<IReadOnlyList<string>>(Directory
            .EnumerateFiles(_store.Root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(_store.Root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList());

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task No_temporary_file_is_left_behind_by_successful_failed_or_cancelled_puts()
    {
        await _store.PutAsync("ok", new GeneratedContent(3 * MiB, seed: 20));
        await _store.PutContentAddressedAsync("ca", new GeneratedContent(3 * MiB, seed: 20));
        await _store.PutContentAddressedAsync("ca", new GeneratedContent(3 * MiB, seed: 20));
        await Assert.ThrowsAsync<IOException>(() => _store.PutAsync("broken", new GeneratedContent(3 * MiB, seed: 21) { BreakAt = MiB }));
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _store.PutAsync("cancelled", new GeneratedContent(3 * MiB, seed: 22) { CancelAt = MiB, Cancel = cancel }, cancel.Token));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_store.Root, FileSystemArtifactStore.IncomingFolder)));
        Assert.Equal(2, (await AllObjectsAsync()).Count);
        // A failed put does not even leave the folders its key would have needed.
        Assert.False(Directory.Exists(Path.Combine(_store.Root, "broken")));
    }

    [Fact]
    public async Task A_delete_removes_the_folders_it_leaves_empty_and_keeps_those_that_hold_others()
    {
        var kept = await _store.PutContentAddressedAsync("datasets/wine", new GeneratedContent(1000, seed: 24));
        var removed = await _store.PutContentAddressedAsync("datasets/iris", new GeneratedContent(1000, seed: 25));

        await _store.DeleteAsync(removed.Key);

        Assert.False(Directory.Exists(Path.Combine(_store.Root, "datasets", "iris")));
        Assert.True(File.Exists(Path.Combine(_store.Root, kept.Key)));
        await _store.DeleteAsync(kept.Key);
        Assert.Equal([FileSystemArtifactStore.IncomingFolder], Directory.EnumerateFileSystemEntries(_store.Root).Select(Path.GetFileName));
        // The folders come back for the next object.
        var again = await _store.PutContentAddressedAsync("datasets/iris", new GeneratedContent(1000, seed: 25));
        Assert.Equal(1000, new FileInfo(Path.Combine(_store.Root, again.Key)).Length);
    }

    [Fact]
    public async Task Objects_are_plain_files_under_the_root()
    {
        await _store.PutAsync("datasets/wine/v1.csv", new GeneratedContent(1000, seed: 23));

        Assert.Equal(1000, new FileInfo(Path.Combine(_store.Root, "datasets", "wine", "v1.csv")).Length);
    }

    [Fact]
    public async Task A_key_cannot_escape_the_root_through_a_symbolic_link()
    {
        var outside = _folder.Combine("outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "secret"), "do not read");
        Directory.CreateSymbolicLink(Path.Combine(_store.Root, "escape"), outside);
        File.CreateSymbolicLink(Path.Combine(_store.Root, "secret-link"), Path.Combine(outside, "secret"));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.PutAsync("escape/planted", new GeneratedContent(10, seed: 24)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.PutContentAddressedAsync("escape", new GeneratedContent(10, seed: 24)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.OpenReadAsync("escape/secret"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.OpenReadAsync("secret-link"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.DeleteAsync("escape/secret"));

        Assert.Equal(["secret"], Directory.EnumerateFiles(outside).Select(Path.GetFileName));
        Assert.Equal("do not read", await File.ReadAllTextAsync(Path.Combine(outside, "secret")));
    }

    [Fact]
    public async Task A_symbolic_link_over_the_incoming_folder_is_refused()
    {
        var outside = _folder.Combine("outside-incoming");
        Directory.CreateDirectory(outside);
        if (Directory.Exists(Path.Combine(_store.Root, FileSystemArtifactStore.IncomingFolder)))
        {
            Directory.Delete(Path.Combine(_store.Root, FileSystemArtifactStore.IncomingFolder), recursive: true);
        }

        Directory.CreateSymbolicLink(Path.Combine(_store.Root, FileSystemArtifactStore.IncomingFolder), outside);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.PutAsync("x", new GeneratedContent(10, seed: 25)));

        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact]
    public void Store_creates_its_root()
    {
        var store = new FileSystemArtifactStore(_folder.Combine("new", "root"));

        Assert.True(Directory.Exists(store.Root));
    }
}
