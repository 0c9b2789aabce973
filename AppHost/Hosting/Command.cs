using System.Diagnostics;

namespace MlOps.AppHost.Hosting;

/// <summary>Runs a short-lived program (initdb, chown, id) to its end and keeps what it printed.</summary>
internal static class Command
{
    /// <summary>Runs <paramref name="program"/>; <paramref name="input"/>, when given, is written to its standard input.</summary>
    public static (int ExitCode, string Output) Run(string program, IReadOnlyList<string> arguments, string? input = null)
    {
        var startInfo = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // As the postgres user, the caller's folder may be out of reach; / never is.
            WorkingDirectory = "/",
        };
        using var process = Process.Start(startInfo)
            ?? throw new PlatformStartException($"{program} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, (output.Result + errors.Result).Trim());
    }
}
