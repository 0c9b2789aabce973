using MlOps.Hosting.Local.Processes;
using MlOps.TestSupport;

namespace MlOps.AppHost.Tests;

/// <summary>Child processes as the launcher runs them, with real shells.</summary>
public sealed class ChildProcessTests : IDisposable
{
    private readonly TemporaryDirectory _directory = TemporaryDirectory.Create("mlops-child-");
    private readonly StringWriter _console = new();

    [Fact]
    public async Task Streams_both_outputs_prefixed_to_the_console_and_appends_runs_to_its_log()
    {
        var log = _directory.Combine("echo.log");
        for (var run = 0; run < 2; run++)
        {
            await using var child = Start("echo", "echo out; echo err >&2; echo \"$GREETING\"", new() { ["GREETING"] = "hello" }, log);
            Assert.Equal(0, await child.Exited.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(["err", "hello", "out"], child.RecentLines.Order(StringComparer.Ordinal));
        }

        var console = _console.ToString();
        Assert.Contains("[echo] out", console, StringComparison.Ordinal);
        Assert.Contains("[echo] err", console, StringComparison.Ordinal);
        Assert.Contains("[echo] hello", console, StringComparison.Ordinal);
        var lines = await File.ReadAllLinesAsync(log);
        Assert.Equal(2, lines.Count(line => line.StartsWith("===== echo started ", StringComparison.Ordinal)));
        Assert.Equal(2, lines.Count(line => line == "hello"));
    }

    [Fact]
    public async Task Copies_a_fast_writer_whole_and_in_order_across_reads_that_split_lines_and_characters()
    {
        // 200,000 lines (over 6 MB) come in many reads of the pipe, most of them ending inside a line and some inside
        // the two bytes of 'é'.
        var log = _directory.Combine("flood.log");
        await using var child = Start("flood", "seq 1 200000 | sed 's/$/ café/'", log: log);
        Assert.Equal(0, await child.Exited.WaitAsync(TimeSpan.FromSeconds(60)));

        var lines = (await File.ReadAllLinesAsync(log)).Skip(1).ToArray();
        Assert.Equal(200_000, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.Equal($"{i + 1} café", lines[i]);
        }

        Assert.Equal("200000 café", child.RecentLines[^1]);
        Assert.EndsWith("[flood] 200000 café" + Environment.NewLine, _console.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keeps_only_the_last_lines()
    {
        await using var child = Start("counter", "for i in $(seq 1 100); do echo line $i; done");
        await child.Exited.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(30, child.RecentLines.Count);
        Assert.Equal("line 71", child.RecentLines[0]);
        Assert.Equal("line 100", child.RecentLines[^1]);
    }

    [Fact]
    public async Task Stops_with_SIGTERM_when_the_process_honours_it()
    {
        await using var child = Start("polite", "trap 'echo terminated; exit 3' TERM; echo ready; while true; do sleep 0.1; done");
        await WaitForLineAsync(child, "ready");

        await child.StopAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal(3, await child.Exited);
        Assert.Contains("terminated", child.RecentLines);
    }

    [Fact]
    public async Task Kills_the_whole_tree_when_SIGTERM_is_ignored()
    {
        await using var child = Start("stubborn", "trap '' TERM; sleep 300 & echo $!; wait");
        await WaitForLineAsync(child, line => int.TryParse(line, out _));
        var grandchild = int.Parse(child.RecentLines[0], System.Globalization.CultureInfo.InvariantCulture);

        await child.StopAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.True(child.HasExited);
        Assert.Contains(child.RecentLines, line => line.StartsWith("did not stop within", StringComparison.Ordinal));
        await WaitUntilAsync(() => !UnixProcess.Exists(grandchild));
    }

    public void Dispose()
    {
        _console.Dispose();
        _directory.Dispose();
    }

    private ChildProcess Start(string name, string script, Dictionary<string, string>? environment = null, string? log = null)
    {
        var output = new ProcessOutput(name, new ConsoleLineWriter(_console, useColor: false), log, TimeProvider.System);
        return ChildProcess.Start(
            new ChildProcessStartInfo(name, "/bin/sh", ["-c", script]) { Environment = environment ?? [] },
            output,
            TimeProvider.System);
    }

    private static Task WaitForLineAsync(ChildProcess child, string line) => WaitForLineAsync(child, candidate => candidate == line);

    private static Task WaitForLineAsync(ChildProcess child, Func<string, bool> match) =>
        WaitUntilAsync(() => child.RecentLines.Any(match));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
