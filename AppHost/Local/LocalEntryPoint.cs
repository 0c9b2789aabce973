using Microsoft.Extensions.Configuration;
using MlOps.Hosting.Local.Postgres;
using MlOps.Hosting.Local.Processes;

namespace MlOps.AppHost.Local;

/// <summary>Reads the configuration, runs the local launcher until a signal, and turns known failures into a message.</summary>
internal static class LocalEntryPoint
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var shutdown = new ShutdownSignal();
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
            var options = LauncherOptions.From(configuration);
            var folder = DataFolder.Resolve(options.Home, Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
            var launcher = new LocalLauncher(
                options, folder, new BuildOutput(AppContext.BaseDirectory), ConsoleLineWriter.ForConsole(), Console.Out, TimeProvider.System);
            return await launcher.RunAsync(shutdown.Token);
        }
        catch (Exception e) when (e is LauncherException or PostgresServerException)
        {
            await Console.Error.WriteLineAsync($"MlOps platform failed: {e.Message}");
            return 1;
        }
    }
}
