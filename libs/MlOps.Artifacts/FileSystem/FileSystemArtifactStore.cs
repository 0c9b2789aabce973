namespace MlOps.Artifacts.FileSystem;

/// <summary>
/// Objects as files under a root folder. A put streams to a temporary file under <c>{root}/.incoming</c>, flushes it
/// to disk and renames it into place, so a reader sees either nothing or the whole object, and a failed or cancelled
/// put leaves nothing behind. Every resolved path is checked to stay under the root, through no symbolic link.
/// </summary>
public sealed class FileSystemArtifactStore : IArtifactStore
{
    /// <summary>The folder under the root that holds writes in progress.</summary>
    public const string IncomingFolder = ".incoming";

    private const int BufferSize = 128 * 1024;

    private readonly string _rootWithSeparator;

    public FileSystemArtifactStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _rootWithSeparator = Root + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public async Task<ArtifactInfo> PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = Resolve(key);
        var (temporary, size, sha256) = await WriteTemporaryAsync(content, cancellationToken);
        try
        {
            MoveIntoPlace(temporary, key, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        return new ArtifactInfo(key, size, sha256);
    }

    public async Task<ArtifactInfo> PutContentAddressedAsync(string prefix, Stream content, CancellationToken cancellationToken = default)
    {
        ArtifactKey.Validate(prefix, nameof(prefix));
        ArgumentNullException.ThrowIfNull(content);
        Resolve(prefix);
        var (temporary, size, sha256) = await WriteTemporaryAsync(content, cancellationToken);
        try
        {
            var key = ArtifactKey.ContentAddressed(prefix, sha256);
            var path = Resolve(key);
            if (!File.Exists(path))
            {
                try
                {
                    // No overwrite: link + unlink, so a concurrent put of the same content cannot be clobbered.
                    MoveIntoPlace(temporary, key, path, overwrite: false);
                }
                catch (IOException) when (File.Exists(path))
                {
                    // Someone else stored the same content first; theirs is identical.
                }
            }

            return new ArtifactInfo(key, size, sha256);
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = Resolve(key);
        try
        {
            Stream stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = BufferSize,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
            return Task.FromResult(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ArtifactNotFoundException(key, e);
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(Resolve(key)));

    public async Task<ArtifactInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        Stream stream;
        try
        {
            stream = await OpenReadAsync(key, cancellationToken);
        }
        catch (ArtifactNotFoundException)
        {
            return null;
        }

        await using (stream)
        {
            var (size, sha256) = await HashingCopy.HashAsync(stream, cancellationToken);
            return new ArtifactInfo(key, size, sha256);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = Resolve(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Already absent.
        }

        RemoveEmptyFolders(path);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Creates the object's folder and moves the finished file into it. A delete may remove that folder, emptied,
    /// between the two steps (<see cref="RemoveEmptyFolders"/>): then the folder is created again.
    /// </summary>
    private void MoveIntoPlace(string temporary, string key, string path, bool overwrite)
    {
        for (var attempt = 1; ; attempt++)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            CheckNoLinks(key, path);
            try
            {
                File.Move(temporary, path, overwrite);
                return;
            }
            catch (DirectoryNotFoundException) when (attempt < 3 && File.Exists(temporary))
            {
            }
        }
    }

    /// <summary>
    /// Removes the folders a deleted object leaves empty, up to the root, so deleted versions and refused uploads leave
    /// no <c>datasets/&lt;name&gt;/sha256/&lt;hh&gt;/</c> behind. A folder that holds anything stops the walk.
    /// </summary>
    private void RemoveEmptyFolders(string path)
    {
        for (var folder = Path.GetDirectoryName(path); folder is not null && folder.StartsWith(_rootWithSeparator, StringComparison.Ordinal); folder = Path.GetDirectoryName(folder))
        {
            try
            {
                Directory.Delete(folder, recursive: false);
            }
            catch (IOException)
            {
                // Not empty (or gone already).
                return;
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    private async Task<(string Path, long Size, string Sha256)> WriteTemporaryAsync(Stream content, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Root, IncomingFolder);
        Directory.CreateDirectory(folder);
        CheckNoLinks(IncomingFolder, folder);
        var temporary = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            await using var file = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                Options = FileOptions.Asynchronous,
            });
            var (size, sha256) = await HashingCopy.CopyAsync(content, file, cancellationToken);
            file.Flush(flushToDisk: true);
            return (temporary, size, sha256);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>The full path of a valid key, which must lie under the root and reach it through no symbolic link.</summary>
    private string Resolve(string key)
    {
        ArtifactKey.Validate(key);
        var path = Path.GetFullPath(Path.Join(Root, key));
        if (!path.StartsWith(_rootWithSeparator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Artifact key '{key}' resolves outside the artifact root.", nameof(key));
        }

        CheckNoLinks(key, path);
        return path;
    }

    /// <summary>Refuses a path any part of which (below the root) is a symbolic link, as it could lead out of the root.</summary>
    private void CheckNoLinks(string key, string path)
    {
        var current = path;
        while (current.Length > _rootWithSeparator.Length)
        {
            if (IsLink(current))
            {
                throw new ArgumentException(
                    $"Artifact key '{key}' goes through a symbolic link ('{current}'), which the store does not follow.", nameof(key));
            }

            current = Path.GetDirectoryName(current)!;
        }
    }

    private static bool IsLink(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: false) is not null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the caller's own exception matters more.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
