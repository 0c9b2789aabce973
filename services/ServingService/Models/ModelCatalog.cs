using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MlOps.Clients;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Serving;
using MlOps.Learning.Models;
using MlOps.Onnx.Scoring;
using MlOps.Learning.Features;
using MlOps.Images.Embedding;

namespace MlOps.ServingService.Models;

/// <summary>
/// The models this replica serves, loaded on first request and kept in memory. A version is loaded once however many
/// requests ask for it at the same moment. An alias holds the version it points at in one reference that a reload
/// replaces only after the new version loaded completely; a reload that fails leaves the previous version serving and
/// records the failure for <c>/health</c>, metrics and <c>GET /api/serving/models</c>.
/// </summary>
public sealed partial class ModelCatalog(
    IHttpClientFactory clients,
    ImageEmbedder images,
    TimeProvider time,
    ModelMetrics metrics,
    IOptions<ServingOptions> options,
    ILogger<ModelCatalog> logger)
{
    public const string RegistryClientName = "registry";

    private readonly ConcurrentDictionary<(string Model, int Version), Lazy<Task<LoadedModel>>> _versions = new();
    private readonly ConcurrentDictionary<(string Model, string Alias), AliasSlot> _aliases = new();

    // Versions asked for by number, with when they were last asked for; the least recent beyond the limit are unloaded.
    private readonly ConcurrentDictionary<(string Model, int Version), long> _pinned = new();
    private readonly Lock _evicting = new();

    /// <summary>How often a request asks again for a version unloaded between finding it and leasing it (each time finds the newer one).</summary>
    private const int LeaseAttempts = 8;

    /// <summary>
    /// The version behind the alias, loading it if this replica has not yet, with a lease the caller ends with
    /// <see cref="LoadedModel.Release"/> once it has scored.
    /// </summary>
    public Task<LoadedModel> AcquireByAliasAsync(string model, string alias, CancellationToken cancellationToken) =>
        AcquireAsync(() => GetByAliasAsync(model, alias, cancellationToken), model);

    /// <summary>A pinned version (see <see cref="GetByVersionAsync"/>) with a lease the caller ends with <see cref="LoadedModel.Release"/>.</summary>
    public Task<LoadedModel> AcquireByVersionAsync(string model, int version, CancellationToken cancellationToken) =>
        AcquireAsync(() => GetByVersionAsync(model, version, cancellationToken), model);

    /// <summary>The version behind the alias, loading it if this replica has not yet.</summary>
    private async Task<LoadedModel> GetByAliasAsync(string model, string alias, CancellationToken cancellationToken)
    {
        var slot = _aliases.GetOrAdd((model, alias), key => new AliasSlot(key.Model, key.Alias));
        if (slot.Current is { } loaded)
        {
            return loaded;
        }

        try
        {
            return await slot.FirstLoadAsync(() => LoadAliasAsync(slot, CancellationToken.None)).WaitAsync(cancellationToken);
        }
        catch (ModelLoadException) when (slot.Current is null)
        {
            // A name that never loaded is not kept, so requests for names that do not exist cannot grow the catalog;
            // the next request tries again.
            _aliases.TryRemove(new KeyValuePair<(string, string), AliasSlot>((model, alias), slot));
            throw;
        }
    }

    /// <summary>
    /// A pinned version, loading it if this replica has not yet. At most <c>Serving:MaxPinnedVersions</c> stay loaded:
    /// asking for one more unloads the one asked for least recently (unless an alias serves it).
    /// </summary>
    private async Task<LoadedModel> GetByVersionAsync(string model, int version, CancellationToken cancellationToken)
    {
        var loaded = await LoadVersionAsync(model, version).WaitAsync(cancellationToken);
        _pinned[(model, version)] = time.GetTimestamp();
        if (_pinned.Count > options.Value.MaxPinnedVersions)
        {
            UnloadLeastRecentlyPinned();
        }

        return loaded;
    }

    /// <summary>What is served: every alias with its version, then the versions asked for by number.</summary>
    public IReadOnlyList<ServedModel> Describe()
    {
        var served = new List<ServedModel>();
        foreach (var slot in _aliases.Values.OrderBy(s => s.Model, StringComparer.Ordinal).ThenBy(s => s.Alias, StringComparer.Ordinal))
        {
            if (slot.Current is { } current)
            {
                var failure = slot.Failure;
                served.Add(new ServedModel(slot.Model, slot.Alias, current.Version, current.LoadedAt, failure?.Message, failure?.At));
            }
        }

        foreach (var (model, version) in _pinned.Keys.OrderBy(key => key.Model, StringComparer.Ordinal).ThenBy(key => key.Version))
        {
            if (_versions.TryGetValue((model, version), out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
            {
                served.Add(new ServedModel(model, null, version, entry.Value.Result.LoadedAt, null, null));
            }
        }

        return served;
    }

    /// <summary>Aliases whose newest version failed to load, while the previous one keeps serving.</summary>
    public IReadOnlyList<AliasSlot> Failing() => _aliases.Values.Where(slot => slot.Failure is not null).ToArray();

    /// <summary>Aliases with a loaded version: what the change watcher keeps current.</summary>
    public IReadOnlyList<AliasSlot> Loaded() => _aliases.Values.Where(slot => slot.Current is not null).ToArray();

    /// <summary>
    /// Brings the model's loaded aliases in line with the registry: loads and swaps in the version an alias moved to,
    /// and forgets an alias that was removed (its next request asks the registry again).
    /// </summary>
    public async Task ApplyAsync(ModelChange change, CancellationToken cancellationToken)
    {
        foreach (var slot in _aliases.Values.Where(s => s.Model == change.Name && s.Current is not null).ToArray())
        {
            if (!change.Aliases.TryGetValue(slot.Alias, out var version))
            {
                _aliases.TryRemove(new KeyValuePair<(string, string), AliasSlot>((slot.Model, slot.Alias), slot));
                metrics.Unloaded(slot.Model, slot.Alias);
                LogAliasRemoved(slot.Model, slot.Alias);
                if (slot.Current is { } served && !InUse((slot.Model, served.Version)))
                {
                    Unload((slot.Model, served.Version));
                }

                continue;
            }

            await MoveAsync(slot, version, cancellationToken);
        }
    }

    /// <summary>Tries again to load the versions that failed, in case the cause (the registry, a file) went away.</summary>
    public async Task RetryFailedAsync(CancellationToken cancellationToken)
    {
        foreach (var slot in Failing())
        {
            if (slot.Failure is { } failure)
            {
                await MoveAsync(slot, failure.Version, cancellationToken);
            }
        }
    }

    private async Task MoveAsync(AliasSlot slot, int version, CancellationToken cancellationToken)
    {
        var previous = slot.Current;
        if (previous is null)
        {
            return;
        }

        if (previous.Version == version)
        {
            // Moved back to the version that kept serving: the failed move no longer matters.
            if (slot.Failure is not null)
            {
                slot.Swap(previous);
            }

            return;
        }

        try
        {
            var loaded = await LoadVersionAsync(slot.Model, version).WaitAsync(cancellationToken);
            slot.Swap(loaded);
            metrics.Loaded(slot.Model, slot.Alias, loaded.Version);
            LogSwapped(slot.Model, slot.Alias, previous.Version, loaded.Version);
            if (previous.Version != loaded.Version && !InUse((slot.Model, previous.Version)))
            {
                Unload((slot.Model, previous.Version));
            }
        }
        catch (ModelLoadException exception)
        {
            metrics.LoadFailed(slot.Model);
            slot.Fail(version, exception.Message, time.GetUtcNow());
            LogReloadFailed(exception, slot.Model, slot.Alias, version, previous.Version);
        }
    }

    private void UnloadLeastRecentlyPinned()
    {
        lock (_evicting)
        {
            while (_pinned.Count > options.Value.MaxPinnedVersions)
            {
                var oldest = _pinned.MinBy(pair => pair.Value).Key;
                _pinned.TryRemove(oldest, out _);
                if (!InUse(oldest))
                {
                    Unload(oldest);
                    LogUnloaded(oldest.Model, oldest.Version);
                }
            }
        }
    }

    private static async Task<LoadedModel> AcquireAsync(Func<Task<LoadedModel>> find, string model)
    {
        for (var attempt = 1; ; attempt++)
        {
            var loaded = await find();
            if (loaded.TryAcquire())
            {
                return loaded;
            }

            if (attempt == LeaseAttempts)
            {
                throw new ModelLoadException(
                    StatusCodes.Status503ServiceUnavailable, "Model reloading", $"Model '{model}' was unloaded {attempt} times while this request asked for it; retry.");
            }
        }
    }

    /// <summary>Forgets a loaded version; its scorer is freed once the requests holding it end.</summary>
    private void Unload((string Model, int Version) key)
    {
        if (_versions.TryRemove(key, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
        {
            entry.Value.Result.Retire();
        }
    }

    /// <summary>Whether an alias serves the version or requests pin it.</summary>
    private bool InUse((string Model, int Version) key) =>
        _pinned.ContainsKey(key) || _aliases.Values.Any(slot => slot.Model == key.Model && slot.Current?.Version == key.Version);

    private async Task<LoadedModel> LoadAliasAsync(AliasSlot slot, CancellationToken cancellationToken)
    {
        var registry = Registry();
        ModelVersionResponse? target;
        try
        {
            target = await registry.GetAliasAsync(slot.Model, slot.Alias, cancellationToken);
        }
        catch (ServiceUnavailableException exception)
        {
            throw Unavailable(exception);
        }

        if (target is null)
        {
            throw new ModelLoadException(
                StatusCodes.Status404NotFound, "Model not found", $"The registry has no model '{slot.Model}' with an alias '{slot.Alias}'.");
        }

        var loaded = await LoadVersionAsync(slot.Model, target.Version);
        slot.Swap(loaded);
        metrics.Loaded(slot.Model, slot.Alias, loaded.Version);
        return loaded;
    }

    private Task<LoadedModel> LoadVersionAsync(string model, int version)
    {
        var key = (model, version);
        var entry = _versions.GetOrAdd(key, _ => new Lazy<Task<LoadedModel>>(() => LoadVersionCoreAsync(model, version)));
        return ForgetOnFailureAsync(key, entry);
    }

    private async Task<LoadedModel> ForgetOnFailureAsync((string, int) key, Lazy<Task<LoadedModel>> entry)
    {
        try
        {
            return await entry.Value;
        }
        catch
        {
            _versions.TryRemove(new KeyValuePair<(string, int), Lazy<Task<LoadedModel>>>(key, entry));
            throw;
        }
    }

    private async Task<LoadedModel> LoadVersionCoreAsync(string model, int version)
    {
        var registry = Registry();
        ModelVersionResponse? metadata;
        byte[] file;
        try
        {
            metadata = await registry.GetVersionAsync(model, version, CancellationToken.None);
            if (metadata is null)
            {
                throw new ModelLoadException(StatusCodes.Status404NotFound, "Model not found", $"The registry has no model '{model}' with a version {version}.");
            }

            file = await registry.GetArtifactAsync(model, version, CancellationToken.None);
        }
        catch (ServiceUnavailableException exception)
        {
            throw Unavailable(exception);
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(file));
        if (sha256 != metadata.Artifact.Sha256)
        {
            throw new ModelLoadException(
                StatusCodes.Status503ServiceUnavailable,
                "Model not loadable",
                $"Model '{model}' version {version}: the file's SHA-256 is {sha256}, the registry recorded {metadata.Artifact.Sha256}.");
        }

        try
        {
            var scorer = ScoringModelFile.Load(metadata.Artifact.Format, file, metadata.Descriptor);
            if (EncoderMismatch(scorer) is { } mismatch)
            {
                (scorer as IDisposable)?.Dispose();
                throw new ModelLoadException(StatusCodes.Status503ServiceUnavailable, "Model not loadable", $"Model '{model}' version {version} {mismatch}");
            }

            var loaded = new LoadedModel(model, version, scorer, sha256, time.GetUtcNow());
            metrics.Read(model);
            LogLoaded(model, version, file.Length);
            return loaded;
        }
        catch (ModelFormatException exception)
        {
            throw new ModelLoadException(
                StatusCodes.Status503ServiceUnavailable, "Model not loadable", $"Model '{model}' version {version} could not be read: {exception.Message}", exception);
        }
    }

    private RegistryClient Registry() => new(clients.CreateClient(RegistryClientName));

    /// <summary>
    /// Why a model's pictures cannot be encoded here, or null: a model trained on pictures takes vectors from one
    /// encoder's weights, and this server must encode with the same ones.
    /// </summary>
    private string? EncoderMismatch(IScoringModel scorer)
    {
        if (scorer is not Model ours || ours.Featurizer.Columns.OfType<ImageFeaturizer>().FirstOrDefault() is not { } pictures)
        {
            return null;
        }

        var here = images.Encoding;
        return pictures.Encoding == here
            ? null
            : $"takes pictures encoded by {pictures.Encoding.Name} (weights {pictures.Encoding.Sha256}); this server encodes with {here.Name} (weights {here.Sha256}).";
    }

    private static ModelLoadException Unavailable(ServiceUnavailableException exception) =>
        new(StatusCodes.Status503ServiceUnavailable, "Registry unavailable", exception.Message, exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model} version {Version} ({Bytes} bytes).")]
    private partial void LogLoaded(string model, int version, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model}@{Alias} now serves version {Version} (was {Previous}).")]
    private partial void LogSwapped(string model, string alias, int previous, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Model}@{Alias} moved to version {Version}, which failed to load; version {Previous} keeps serving.")]
    private partial void LogReloadFailed(Exception exception, string model, string alias, int version, int previous);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded {Model} version {Version}: the pinned version asked for least recently.")]
    private partial void LogUnloaded(string model, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model}@{Alias} was removed from the registry; it is no longer served.")]
    private partial void LogAliasRemoved(string model, string alias);
}

/// <summary>
/// One alias of one model as this replica serves it: the loaded version (replaced in one write), the first load that
/// concurrent first requests share, and the last failed reload.
/// </summary>
public sealed class AliasSlot(string model, string alias)
{
    private readonly Lock _gate = new();
    private volatile LoadedModel? _current;
    private volatile LoadFailure? _failure;
    private Task<LoadedModel>? _firstLoad;

    public string Model { get; } = model;

    public string Alias { get; } = alias;

    public LoadedModel? Current => _current;

    public LoadFailure? Failure => _failure;

    public Task<LoadedModel> FirstLoadAsync(Func<Task<LoadedModel>> load)
    {
        lock (_gate)
        {
            // A failed first load is not kept: the next request tries again.
            if (_firstLoad is null || _firstLoad.IsFaulted || _firstLoad.IsCanceled)
            {
                _firstLoad = load();
            }

            return _firstLoad;
        }
    }

    public void Swap(LoadedModel loaded)
    {
        _current = loaded;
        _failure = null;
    }

    public void Fail(int version, string message, DateTimeOffset at) => _failure = new LoadFailure(version, message, at);
}

public sealed record LoadFailure(int Version, string Message, DateTimeOffset At);
