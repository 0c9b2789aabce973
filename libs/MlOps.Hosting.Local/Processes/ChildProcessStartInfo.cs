namespace MlOps.Hosting.Local.Processes;

/// <summary>What to run as a long-lived child process, and under which name its output appears.</summary>
public sealed record ChildProcessStartInfo(string Name, string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Variables set on top of this process's own environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// Runs the child in a session of its own (through <c>setsid</c>, when present), so a Ctrl+C on the terminal
    /// reaches only the launcher, which then stops the children in its own order.
    /// </summary>
    public bool OwnSession { get; init; }
}
