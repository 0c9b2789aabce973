using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MlOps.TestSupport;

namespace MlOps.DataService.Tests.Datasets;

[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public sealed class MemoryTestsRunAlone;

/// <summary>
/// Uploads stream: a 1 GiB CSV goes to the store and through the profiler without the service holding it. The service
/// runs as its own process, as deployed, and its peak resident set (Linux <c>VmHWM</c>, reset through
/// <c>clear_refs</c> after a warm-up upload) is read from outside; the client writing the CSV is this test.
/// </summary>
[Collection(nameof(MemoryTests))]
public sealed class MemoryTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const long OneGiB = 1L << 30;
    private const long AllowedGrowth = 200L * 1024 * 1024;

    [Fact]
    public async Task Uploading_1_GiB_raises_the_service_peak_working_set_by_less_than_200_MB()
    {
        await using var issuer = await TestIssuer.StartAsync();
        var key = issuer.NewRsaKey();
        using var artifacts = TemporaryDirectory.Create("mlops-memory-");
        var port = LoopbackPorts.FindFree();
        using var service = StartService(port, new Dictionary<string, string>
        {
            ["ConnectionStrings__mlopsdb"] = await postgres.CreateDatabaseAsync("memory_" + Guid.NewGuid().ToString("N")[..8]),
            ["Auth__Authority"] = issuer.Issuer,
            ["Artifacts__Store"] = "FileSystem",
            ["Artifacts__Root"] = artifacts.Path,
            ["Datasets__MaxUploadBytes"] = (2 * OneGiB).ToString(CultureInfo.InvariantCulture),
        });
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
            await Eventually.ReturnsAsync(
                async () => await IsReadyAsync(client), ready => ready, TimeSpan.FromSeconds(60), "the data service process becoming ready");
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issuer.CreateToken(key, "mlops.read mlops.train"));
            using (var warmUp = await client.PostAsync("/api/datasets/warm-up/versions", new GeneratedCsvContent(4L << 20)))
            {
                warmUp.EnsureSuccessStatusCode();
            }

            var before = ResetPeakResidentSet(service.Id);
            using var response = await client.PostAsync("/api/datasets/big/versions", new GeneratedCsvContent(OneGiB));
            var peak = Status(service.Id, "VmHWM");

            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.True(peak - before < AllowedGrowth, $"the service's peak resident set grew by {(peak - before) >> 20} MB (from {before >> 20} MB)");
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }

    private static Process StartService(int port, Dictionary<string, string> environment)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "DataService", configuration, "DataService.dll"));
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<bool> IsReadyAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/health");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Resets the kernel's peak-RSS mark of the process to its current RSS and returns it.</summary>
    private static long ResetPeakResidentSet(int processId)
    {
        File.WriteAllText($"/proc/{processId}/clear_refs", "5");
        return Status(processId, "VmRSS");
    }

    private static long Status(int processId, string field)
    {
        var line = File.ReadLines($"/proc/{processId}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>A CSV of about the given size, written row by row as the request is sent, never held.</summary>
    private sealed class GeneratedCsvContent : HttpContent
    {
        private readonly long _bytes;

        public GeneratedCsvContent(long bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var random = new Random(7);
            var cities = new[] { "paris", "lyon", "nice", "lille", "brest" };
            var buffer = new byte[64 * 1024];
            var used = Encoding.UTF8.GetBytes("id,amount,count,ratio,score,city\n", buffer);
            long written = used;
            for (long id = 0; written < _bytes; id++)
            {
                if (used > buffer.Length - 256)
                {
                    await stream.WriteAsync(buffer.AsMemory(0, used));
                    used = 0;
                }

                var row = buffer.AsSpan(used);
                var length = 0;
                Append(row, ref length, id);
                Append(row, ref length, random.NextDouble() * 1000, "F3");
                Append(row, ref length, random.Next(0, 50));
                Append(row, ref length, random.NextDouble(), "F6");
                Append(row, ref length, random.NextDouble() * 100, "F2");
                length += Encoding.UTF8.GetBytes(cities[random.Next(cities.Length)], row[length..]);
                row[length++] = (byte)'\n';
                used += length;
                written += length;
            }

            await stream.WriteAsync(buffer.AsMemory(0, used));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        private static void Append(Span<byte> row, ref int length, long value)
        {
            value.TryFormat(row[length..], out var written, provider: CultureInfo.InvariantCulture);
            length += written;
            row[length++] = (byte)',';
        }

        private static void Append(Span<byte> row, ref int length, double value, string format)
        {
            value.TryFormat(row[length..], out var written, format, CultureInfo.InvariantCulture);
            length += written;
            row[length++] = (byte)',';
        }
    }
}
