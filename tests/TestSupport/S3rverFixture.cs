using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MlOps.Artifacts;
using Xunit;

namespace MlOps.TestSupport;

/// <summary>
/// A real S3-compatible server (s3rver, from npm) on a free loopback port, with a data folder of its own; started
/// once per test class, killed on dispose. Its request log is kept, so tests can see which requests reached it.
/// </summary>
public sealed partial class S3rverFixture : IAsyncLifetime
{
    public const string Credentials = "S3RVER";

    private readonly ConcurrentQueue<string> _log = new();
    private TemporaryDirectory? _data;
    private Process? _process;

    public string ServiceUrl { get; private set; } = "";

    /// <summary>The lines s3rver has written so far (one per request answered, e.g. <c>info: PUT /bucket/key 200 3ms 0b</c>).</summary>
    public IReadOnlyList<string> Log => [.. _log];

    /// <summary>Waits (a few seconds at most) until the request log has a line for which <paramref name="match"/> holds, and counts them.</summary>
    public Task<int> WaitForLogAsync(Func<string, bool> match, int atLeast, string what) =>
        Eventually.ReturnsAsync(() => Task.FromResult(Log.Count(match)), count => count >= atLeast, TimeSpan.FromSeconds(10), what);

    public S3ArtifactStoreOptions Options(string bucket, string? prefix = null) => new()
    {
        ServiceUrl = ServiceUrl,
        Bucket = bucket,
        Region = "us-east-1",
        AccessKey = Credentials,
        SecretKey = Credentials,
        ForcePathStyle = true,
        Prefix = prefix,
        PartSize = S3ArtifactStoreOptions.MinimumPartSize,
    };

    public async Task InitializeAsync()
    {
        var script = Path.Combine(FindS3rverProject(), "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"s3rver is not installed ({script} is missing): run `npm ci --prefix tests/MlOps.Artifacts.Tests/s3rver`.");
        }

        _data = TemporaryDirectory.Create("s3rver-");
        var port = LoopbackPorts.FindFree();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No --silent: its request log is how the tests see an aborted multipart upload (see S3ArtifactStoreTests).
        foreach (var argument in new[] { script, "--address", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--directory", _data.Path })
        {
            start.ArgumentList.Add(argument);
        }

        // s3rver cuts the first 16 characters of each request line, meant to be colour codes: keep them there.
        start.Environment["FORCE_COLOR"] = "1";
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        ServiceUrl = $"http://127.0.0.1:{port}";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with {_process.ExitCode}: {string.Join('\n', _log)}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(AnsiEscape().Replace(line, ""));
        }
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        _data?.Dispose();
    }

    private static string FindS3rverProject()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "tests", "MlOps.Artifacts.Tests", "s3rver");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"No tests/MlOps.Artifacts.Tests/s3rver/package.json above {AppContext.BaseDirectory}.");
    }
}
