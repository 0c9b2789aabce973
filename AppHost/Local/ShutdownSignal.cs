using System.Runtime.InteropServices;

namespace MlOps.AppHost.Local;

/// <summary>
/// Turns Ctrl+C and SIGTERM (and a closed terminal) into a cancellation, so the launcher stops the platform in
/// order instead of the runtime ending it mid-way.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public ShutdownSignal()
    {
        PosixSignal[] signals = OperatingSystem.IsWindows()
            ? [PosixSignal.SIGINT, PosixSignal.SIGTERM]
            : [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];
        foreach (var signal in signals)
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
    }

    public CancellationToken Token => _requested.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _requested.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the process alive: the launcher exits by itself once everything is stopped.
        context.Cancel = true;
        _requested.Cancel();
    }
}
