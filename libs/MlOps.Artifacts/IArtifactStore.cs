namespace MlOps.Artifacts;

/// <summary>
/// Keeps large immutable objects (dataset CSVs, model files) under validated keys (see <see cref="ArtifactKey"/>).
/// Every implementation streams: no call holds a whole object in memory, and a failed or cancelled put leaves
/// nothing behind.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Writes <paramref name="content"/> under <paramref name="key"/> (replacing what was there), computing its size and SHA-256 while writing.</summary>
    Task<ArtifactInfo> PutAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="content"/> to a temporary key while hashing it, then moves it to
    /// <c>{prefix}/sha256/{hex[0..2]}/{hex}</c> unless that object already exists. The returned key is the final one.
    /// </summary>
    Task<ArtifactInfo> PutContentAddressedAsync(string prefix, Stream content, CancellationToken cancellationToken = default);

    /// <summary>A stream over the object; the caller disposes it. Throws <see cref="ArtifactNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Size and SHA-256 of the object, or null when absent. The hash is recorded at write time where the store can, else computed by reading the object.</summary>
    Task<ArtifactInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Removes the object; removing an absent one is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>What a store knows of one object: its key, its size in bytes and its SHA-256 as lower-case hex.</summary>
public sealed record ArtifactInfo(string Key, long Size, string Sha256);

/// <summary>Thrown when an object that should exist does not.</summary>
public sealed class ArtifactNotFoundException : Exception
{
    public ArtifactNotFoundException(string key, Exception? innerException = null)
        : base($"Artifact '{key}' does not exist.", innerException) => Key = key;

    public string Key { get; }
}
