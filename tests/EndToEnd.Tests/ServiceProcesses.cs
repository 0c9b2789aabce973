using System.Diagnostics;
using System.Globalization;

namespace MlOps.EndToEnd.Tests;

/// <summary>The platform's processes as the operating system sees them (<c>/proc</c>).</summary>
internal static class ServiceProcesses
{
    /// <summary>
    /// The service process that binds <paramref name="port"/>: its environment names the URL, and it is the service
    /// itself, not the <c>dotnet run</c> that started it.
    /// </summary>
    public static Process Serving(int port)
    {
        var binding = $"ASPNETCORE_URLS=http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        foreach (var process in Process.GetProcesses())
        {
            try
            {
                if (EnvironmentOf(process.Id).Contains(binding) && !CommandLineOf(process.Id).StartsWith("dotnet run", StringComparison.Ordinal))
                {
                    return process;
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Ended while we looked, or not ours to read.
            }

            process.Dispose();
        }

        throw new InvalidOperationException($"No process binds port {port}");
    }

    public static string[] EnvironmentOf(int processId) => File.ReadAllText($"/proc/{processId}/environ").Split('\0');

    public static string CommandLineOf(int processId) => File.ReadAllText($"/proc/{processId}/cmdline").Replace('\0', ' ');

    /// <summary>Processes whose command line or environment names the data folder (PostgreSQL, Prometheus, the services).</summary>
    public static List<string> Using(string folder)
    {
        var found = new List<string>();
        foreach (var process in Process.GetProcesses())
        {
            using (process)
            {
                try
                {
                    var commandLine = CommandLineOf(process.Id);
                    if (commandLine.Contains(folder, StringComparison.Ordinal)
                        || EnvironmentOf(process.Id).Any(variable => variable.Contains(folder, StringComparison.Ordinal)))
                    {
                        found.Add($"{process.Id}: {commandLine}");
                    }
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // Ended while we looked, or not ours to read.
                }
            }
        }

        return found;
    }
}
