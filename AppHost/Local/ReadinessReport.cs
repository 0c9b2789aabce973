using System.Globalization;
using System.Text;
using MlOps.Hosting.Local.Postgres;

namespace MlOps.AppHost.Local;

/// <summary>What the user reads once the platform is up, and what a failure looks like.</summary>
internal static class ReadinessReport
{
    /// <summary>The line tests and scripts wait for.</summary>
    public const string ReadyLine = "MlOps platform is ready";

    public static string Ready(
        IReadOnlyList<LaunchedProcess> processes,
        PostgresServer postgres,
        LauncherOptions options,
        DataFolder folder,
        LocalSecret adminPassword,
        bool prometheusStarted)
    {
        var rows = new List<(string Name, string Url, string Status)>();
        foreach (var service in Platform.Services)
        {
            rows.Add((service.Name, options.UrlOf(service.Name).ToString().TrimEnd('/'), "healthy"));
        }

        rows.Add(prometheusStarted
            ? (Platform.Prometheus, options.UrlOf(Platform.Prometheus).ToString().TrimEnd('/'), "ready")
            : (Platform.Prometheus, "-", $"not started: not on PATH (install it with `{PrometheusSetup.InstallHint}`)"));
        rows.Add((Platform.Postgres, $"127.0.0.1:{postgres.Port.ToString(CultureInfo.InvariantCulture)}", $"running (database {Platform.Database})"));

        var nameWidth = Math.Max("SERVICE".Length, rows.Max(row => row.Name.Length)) + 2;
        var urlWidth = Math.Max("URL".Length, rows.Max(row => row.Url.Length)) + 2;
        var report = new StringBuilder()
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{ReadyLine} ({processes.Count} processes, local mode)")
            .AppendLine(CultureInfo.InvariantCulture, $"  {"SERVICE".PadRight(nameWidth)}{"URL".PadRight(urlWidth)}STATUS");
        foreach (var (name, url, status) in rows)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  {name.PadRight(nameWidth)}{url.PadRight(urlWidth)}{status}");
        }

        report.AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"  Data folder:    {folder.Root}")
            .AppendLine(CultureInfo.InvariantCulture, $"  Logs:           {folder.Logs}{Path.DirectorySeparatorChar}<service>.log (PostgreSQL: {postgres.LogFile})")
            .AppendLine(CultureInfo.InvariantCulture, $"  Connection:     {postgres.ConnectionString}")
            .AppendLine(CultureInfo.InvariantCulture, $"  Admin password: {AdminPasswordLine(adminPassword, folder)}")
            .AppendLine("  Press Ctrl+C to stop.");
        return report.ToString();
    }

    public static string Failure(Readiness failure, TimeSpan healthTimeout)
    {
        var target = failure.Target;
        var what = failure.Outcome == ReadinessOutcome.Exited
            ? $"{target.Name} {failure.LastObservation} before it was ready."
            : $"{target.Name} did not answer GET {target.HealthUrl} with 200 within {healthTimeout.TotalSeconds:0} s (last: {failure.LastObservation}).";
        return Exited(what, target);
    }

    public static string Exited(string what, LaunchedProcess target)
    {
        var report = new StringBuilder()
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"MlOps platform failed: {what}")
            .AppendLine(CultureInfo.InvariantCulture, $"Last lines of {target.Name} (full log: {target.Process.LogFilePath}):");
        foreach (var line in target.Process.RecentLines)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  | {line}");
        }

        if (target.Process.RecentLines.Count == 0)
        {
            report.AppendLine("  (it printed nothing)");
        }

        return report.AppendLine("Stopping everything.").ToString();
    }

    private static string AdminPasswordLine(LocalSecret adminPassword, DataFolder folder) => adminPassword.Source switch
    {
        LocalSecretSource.Environment => "from MLOPS_ADMIN_PASSWORD",
        LocalSecretSource.Generated => $"{adminPassword.Value}  (generated on this first run and shown only now; kept in {folder.AdminPasswordFile})",
        _ => $"in {folder.AdminPasswordFile}",
    };
}
