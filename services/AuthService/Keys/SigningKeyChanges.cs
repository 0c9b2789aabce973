using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OpenIddict.Server;

namespace MlOps.AuthService.Keys;

/// <summary>
/// Tells the OpenIddict server's options that the signing keys changed (a key took over, one was created or retired),
/// so they are built again with the new keys without a restart.
/// </summary>
internal sealed class SigningKeyChanges : IOptionsChangeTokenSource<OpenIddictServerOptions>, IDisposable
{
    private CancellationTokenSource _current = new();

    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _current).Token);

    public void Signal()
    {
        var previous = Interlocked.Exchange(ref _current, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }

    public void Dispose() => _current.Dispose();
}
