using System.Runtime.InteropServices;

namespace MlOps.TestSupport;

/// <summary>The few POSIX calls .NET does not expose: sending SIGINT and SIGTERM and asking who we run as.</summary>
public static partial class UnixProcess
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    /// <summary>True when this process runs as root, where PostgreSQL refuses to run and needs another user.</summary>
    public static bool IsRoot => !OperatingSystem.IsWindows() && GetEffectiveUserId() == 0;

    /// <summary>Asks a process to shut down gracefully; false when it no longer exists.</summary>
    public static bool Terminate(int processId) => Kill(processId, SigTerm) == 0;

    /// <summary>What Ctrl+C in a terminal sends; false when the process no longer exists.</summary>
    public static bool Interrupt(int processId) => Kill(processId, SigInt) == 0;

    /// <summary>True when a process with this id exists (signal 0 checks without sending anything).</summary>
    public static bool Exists(int processId) =>
        Kill(processId, 0) == 0 || Marshal.GetLastPInvokeError() == 1; // EPERM: it exists but belongs to another user

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int processId, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
