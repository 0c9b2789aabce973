using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace MlOps.Hosting.Local.Processes;

/// <summary>
/// A long-lived child process whose output is streamed to a <see cref="ProcessOutput"/>, as many whole lines at a time
/// as each read brings (a service under load writes thousands of lines a second; a callback and two writes per line
/// kept the launcher busier than the services). It stops
/// gracefully (SIGTERM, then a kill of its whole tree once the grace period is over) and never outlives its owner's
/// disposal.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>
    /// How long the output of a child gathers in its pipe before the launcher reads it again: at most a Linux pipe's
    /// capacity in that time (6 MB/s) never blocks the child, and a faster child is read without pause.
    /// </summary>
    private static readonly TimeSpan GatherInterval = TimeSpan.FromMilliseconds(10);

    private const int PipeCapacity = 64 * 1024;

    private readonly Process _process;
    private readonly ProcessOutput _output;
    private readonly TimeProvider _timeProvider;
    private readonly Task<int> _exited;

    private ChildProcess(string name, Process process, ProcessOutput output, TimeProvider timeProvider)
    {
        Name = name;
        _process = process;
        _output = output;
        _timeProvider = timeProvider;
        _exited = WaitForExitAsync(process, output);
    }

    public string Name { get; }

    public int Id => _process.Id;

    /// <summary>Completes with the exit code once the process has exited and its output is drained.</summary>
    public Task<int> Exited => _exited;

    public bool HasExited => _exited.IsCompleted;

    public IReadOnlyList<string> RecentLines => _output.RecentLines;

    public string? LogFilePath => _output.LogFilePath;

    /// <summary>Starts the process; the output is owned (and disposed) by the returned child from then on.</summary>
    public static ChildProcess Start(ChildProcessStartInfo info, ProcessOutput output, TimeProvider timeProvider)
    {
        var (fileName, arguments) = info.OwnSession && ExecutableLocator.FindOnPath("setsid") is { } setsid
            ? (setsid, [info.FileName, .. info.Arguments])
            : (info.FileName, info.Arguments);

        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = info.WorkingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in info.Environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            output.Dispose();
            throw new InvalidOperationException($"Could not start {info.Name} ('{info.FileName}'): {e.Message}", e);
        }

        // Children read nothing; a closed stdin stops any of them from waiting on the terminal.
        process.StandardInput.Close();
        return new ChildProcess(info.Name, process, output, timeProvider);
    }

    /// <summary>
    /// Sends SIGTERM and waits up to <paramref name="gracePeriod"/> for the process to exit, then kills its tree.
    /// </summary>
    public async Task StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        if (HasExited)
        {
            return;
        }

        if (OperatingSystem.IsWindows() || !UnixProcess.Terminate(_process.Id))
        {
            Kill();
        }

        try
        {
            await _exited.WaitAsync(gracePeriod, _timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            _output.WriteLine($"did not stop within {gracePeriod.TotalSeconds:0} s of SIGTERM; killing it");
            Kill();
            await _exited.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Kills the process and every process it started, at once.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            Kill();
        }

        // Wait for the output to drain (bounded: a killed process's pipes close at once) before closing the log.
        await Task.WhenAny(_exited, Task.Delay(TimeSpan.FromSeconds(5), _timeProvider));
        _process.Dispose();
        _output.Dispose();
    }

    /// <summary>The exit code, once the process has exited and both of its outputs reached their end.</summary>
    private static async Task<int> WaitForExitAsync(Process process, ProcessOutput output)
    {
        var standardOutput = StartPump(process.StandardOutput, output);
        var standardError = StartPump(process.StandardError, output);
        await process.WaitForExitAsync();
        await Task.WhenAll(standardOutput, standardError);
        return process.ExitCode;
    }

    /// <summary>
    /// Each output is read on a thread of its own with blocking reads. An asynchronous read of a pipe puts it in the
    /// runtime's epoll set, which then wakes the launcher for every line a service writes, read or not.
    /// </summary>
    private static Task StartPump(StreamReader reader, ProcessOutput output) =>
        Task.Factory.StartNew(
            () => Pump(reader, output), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Hands the whole lines of every read to the output at once; a last line without an end comes at the end. After a
    /// read that emptied the pipe it lets the next lines gather for <see cref="GatherInterval"/>: a busy service writes
    /// a line per request, and a read, a console write and a log flush per line cost the launcher more than the line.
    /// </summary>
    private static void Pump(StreamReader reader, ProcessOutput output)
    {
        // The pipe is read directly, as bytes: a read then returns all the pipe holds, so a short read means it is empty.
        var pipe = reader.BaseStream;
        var decoder = reader.CurrentEncoding.GetDecoder();
        var bytes = new byte[PipeCapacity];
        var chars = new char[reader.CurrentEncoding.GetMaxCharCount(bytes.Length)];
        var partial = new StringBuilder();
        var lines = new List<string>();
        try
        {
            int read;
            while ((read = pipe.Read(bytes)) > 0)
            {
                var decoded = decoder.GetChars(bytes, 0, read, chars, 0);
                var start = 0;
                for (var i = 0; i < decoded; i++)
                {
                    if (chars[i] == '\n')
                    {
                        partial.Append(chars, start, i - start);
                        lines.Add(partial.ToString().TrimEnd('\r'));
                        partial.Clear();
                        start = i + 1;
                    }
                }

                partial.Append(chars, start, decoded - start);
                if (lines.Count > 0)
                {
                    output.WriteLines(lines);
                    lines.Clear();
                }

                if (read < bytes.Length)
                {
                    // A pause of this dedicated thread, not a timer: nothing else waits on it.
                    Thread.Sleep(GatherInterval);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            // The pipe went away with a killed process: what was read is written below.
        }

        if (partial.Length > 0)
        {
            output.WriteLines([partial.ToString().TrimEnd('\r')]);
        }
    }
}
