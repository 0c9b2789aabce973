namespace MlOps.TestSupport;

/// <summary>Finds programs the way a shell would, on <c>PATH</c>.</summary>
public static class ExecutableLocator
{
    public static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static bool IsExecutable(string path) =>
        File.Exists(path) &&
        (OperatingSystem.IsWindows() ||
         (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    /// <summary>
    /// The <c>dotnet</c> host that runs this process, so children run on the same runtime even when we were started
    /// through the native app host (as <c>dotnet run</c> does) rather than <c>dotnet app.dll</c>.
    /// </summary>
    public static string FindDotnetHost()
    {
        var hostName = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } processPath && Path.GetFileName(processPath) == hostName)
        {
            return processPath;
        }

        // The runtime lives in <root>/shared/Microsoft.NETCore.App/<version>/; the host is <root>/dotnet.
        var runtimeDirectory = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var fromRuntime = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", "..", hostName));
        if (File.Exists(fromRuntime))
        {
            return fromRuntime;
        }

        return FindOnPath(hostName)
            ?? throw new InvalidOperationException("The dotnet host was not found next to the runtime nor on PATH.");
    }
}
