using System.Collections.Frozen;
using MlOps.Learning.Models;

namespace MlOps.ServingService.Models;

/// <summary>
/// One model version in memory, immutable, shared by every request: the scorer (our model, or an ONNX Runtime session),
/// its inputs by name, and where it came from. Requests hold a lease on it for as long as they score (<see cref="TryAcquire"/>,
/// <see cref="Release"/>); the catalog holds one more until it unloads the version (<see cref="Retire"/>). The scorer's
/// native memory is freed when the last lease ends, so a swap or an unload never pulls a session out from under a running
/// request, and never leaves it to the garbage collector.
/// </summary>
public sealed class LoadedModel(string name, int version, IScoringModel scorer, string sha256, DateTimeOffset loadedAt)
{
    // The catalog's own lease, ended by Retire.
    private int _leases = 1;
    private int _retired;

    public string Name { get; } = name;

    public int Version { get; } = version;

    public IScoringModel Scorer { get; } = scorer;

    public string Sha256 { get; } = sha256;

    public DateTimeOffset LoadedAt { get; } = loadedAt;

    /// <summary>Each input's position in <see cref="IScoringModel.Inputs"/>, by name.</summary>
    public FrozenDictionary<string, int> InputIndex { get; } =
        scorer.Inputs.Select((input, index) => (input.Name, index)).ToFrozenDictionary(pair => pair.Name, pair => pair.index, StringComparer.Ordinal);

    /// <summary>Whether the scorer has been freed (the version was unloaded and its last request ended).</summary>
    public bool IsDisposed => Volatile.Read(ref _leases) == 0;

    /// <summary>Takes a lease for one request; false once the version was unloaded and its last lease ended (ask the catalog again).</summary>
    public bool TryAcquire()
    {
        var leases = Volatile.Read(ref _leases);
        while (leases > 0)
        {
            var seen = Interlocked.CompareExchange(ref _leases, leases + 1, leases);
            if (seen == leases)
            {
                return true;
            }

            leases = seen;
        }

        return false;
    }

    /// <summary>Ends a lease; the last one frees the scorer.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0)
        {
            (Scorer as IDisposable)?.Dispose();
        }
    }

    /// <summary>The catalog no longer serves the version: its scorer is freed once the requests holding it end. Once only.</summary>
    public void Retire()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0)
        {
            Release();
        }
    }
}
