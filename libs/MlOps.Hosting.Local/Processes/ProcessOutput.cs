using System.Text;

namespace MlOps.Hosting.Local.Processes;

/// <summary>
/// Where one child process's lines go: the shared console (prefixed with its name), its own log file (appended,
/// one separator line per run) and a short tail kept in memory for error reports.
/// </summary>
public sealed class ProcessOutput : IDisposable
{
    private const int BufferBytes = 64 * 1024;

    private readonly string _name;
    private readonly ConsoleLineWriter? _console;
    private readonly StreamWriter? _logFile;
    private readonly LineTail _tail;
    private bool _disposed;

    public ProcessOutput(string name, ConsoleLineWriter? console, string? logFilePath, TimeProvider timeProvider, int tailLines = 30)
    {
        _name = name;
        _console = console;
        _tail = new LineTail(tailLines);
        if (logFilePath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFilePath))!);
            // Buffers as large as a pipe's read, so a batch of lines costs one write at its flush.
            _logFile = new StreamWriter(
                new FileStream(logFilePath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, BufferBytes),
                new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
                BufferBytes);
            _logFile.WriteLine($"===== {name} started {timeProvider.GetLocalNow():yyyy-MM-dd HH:mm:ss zzz} =====");
            _logFile.Flush();
        }
    }

    public string? LogFilePath => (_logFile?.BaseStream as FileStream)?.Name;

    public IReadOnlyList<string> RecentLines => _tail.Snapshot();

    public void WriteLine(string line) => WriteLines([line]);

    /// <summary>Several lines at once: one console write and one flush of the log file for all of them.</summary>
    public void WriteLines(IReadOnlyList<string> lines)
    {
        foreach (var line in lines)
        {
            _tail.Add(line);
        }

        _console?.WriteLines(_name, lines);
        if (_logFile is not null)
        {
            lock (_logFile)
            {
                // Lines can still arrive from a reader after the process was disposed.
                if (!_disposed)
                {
                    foreach (var line in lines)
                    {
                        _logFile.WriteLine(line);
                    }

                    _logFile.Flush();
                }
            }
        }
    }

    public void Dispose()
    {
        if (_logFile is not null)
        {
            lock (_logFile)
            {
                _disposed = true;
                _logFile.Dispose();
            }
        }
    }
}
