using System.Diagnostics;

namespace MlOps.AppHost.Hosting;

/// <summary>Whether a container runtime answers on this machine: Docker or Podman, asked once at start.</summary>
internal static class ContainerRuntime
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// True when <c>docker info</c> or <c>podman info</c> succeeds within a few seconds. A client with no engine
    /// behind it (the docker command on a machine without the daemon) fails at once.
    /// </summary>
    public static bool Answers() => Answers("docker") || Answers("podman");

    private static bool Answers(string client)
    {
        var startInfo = new ProcessStartInfo(client, ["info"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(startInfo);
            if (process is null)
            {
                return false;
            }

            // Read both streams so a chatty client cannot block on a full pipe.
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(AnswerTimeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not installed.
            return false;
        }
    }
}
