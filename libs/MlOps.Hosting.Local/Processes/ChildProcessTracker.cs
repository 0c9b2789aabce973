using System.Collections.Concurrent;

namespace MlOps.Hosting.Local.Processes;

/// <summary>
/// The safety net behind an orderly shutdown: whatever children are still running when this process exits (an
/// unhandled exception, a second signal) are killed with their whole tree, so no service is left behind.
/// </summary>
public sealed class ChildProcessTracker : IDisposable
{
    private readonly ConcurrentDictionary<ChildProcess, byte> _children = new();

    public ChildProcessTracker() => AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

    public ChildProcess Track(ChildProcess child)
    {
        _children.TryAdd(child, 0);
        return child;
    }

    public void Forget(ChildProcess child) => _children.TryRemove(child, out _);

    public void KillAll()
    {
        foreach (var child in _children.Keys)
        {
            child.Kill();
        }
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        KillAll();
    }

    private void OnProcessExit(object? sender, EventArgs e) => KillAll();
}
