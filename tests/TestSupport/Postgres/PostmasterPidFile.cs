using System.Globalization;

namespace MlOps.TestSupport;

/// <summary>
/// The <c>postmaster.pid</c> lock file a running server keeps in its data folder: line 1 the process id, line 4
/// the port (see PostgreSQL's pidfile.h).
/// </summary>
public sealed record PostmasterPidFile(int ProcessId, int? Port)
{
    public const string FileName = "postmaster.pid";

    public static PostmasterPidFile? Read(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        if (lines.Length == 0 || !int.TryParse(lines[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var processId))
        {
            // Empty or cut short: a server that died while writing it.
            return new PostmasterPidFile(0, null);
        }

        int? port = lines.Length > 3 && int.TryParse(lines[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : null;
        return new PostmasterPidFile(processId, port);
    }

    /// <summary>
    /// True when the process it names is alive and is a PostgreSQL server; process ids are reused, so an alive id
    /// alone does not prove the file is current.
    /// </summary>
    public bool IsServerAlive()
    {
        if (ProcessId <= 0 || !UnixProcess.Exists(ProcessId))
        {
            return false;
        }

        var command = $"/proc/{ProcessId.ToString(CultureInfo.InvariantCulture)}/comm";
        return !File.Exists(command) || File.ReadAllText(command).Trim() is "postgres" or "postmaster";
    }
}
