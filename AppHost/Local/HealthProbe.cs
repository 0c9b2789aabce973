using System.Net;
using MlOps.Hosting.Local.Processes;

namespace MlOps.AppHost.Local;

/// <summary>A started process and the URL that says it is ready.</summary>
internal sealed record LaunchedProcess(string Name, Uri BaseUrl, string HealthPath, ChildProcess Process)
{
    public Uri HealthUrl => new(BaseUrl, HealthPath);
}

internal enum ReadinessOutcome
{
    Healthy,
    Exited,
    TimedOut,
}

/// <summary>How a process's wait for readiness ended, with the last thing its health endpoint said.</summary>
internal sealed record Readiness(LaunchedProcess Target, ReadinessOutcome Outcome, string LastObservation);

/// <summary>Polls health endpoints until they answer 200, the process exits, or the deadline passes.</summary>
internal sealed class HealthProbe(HttpClient http, TimeProvider timeProvider)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Waits for all targets; the first that fails is returned (and the others stop waiting), else null.</summary>
    public async Task<Readiness?> WaitForAllAsync(IReadOnlyList<LaunchedProcess> targets, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = targets.Select(target => WaitAsync(target, timeout, stopWaiting.Token)).ToList();
        try
        {
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                var readiness = await done;
                if (readiness.Outcome != ReadinessOutcome.Healthy)
                {
                    return readiness;
                }
            }

            return null;
        }
        finally
        {
            await stopWaiting.CancelAsync();
            await Task.WhenAll(pending).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async Task<Readiness> WaitAsync(LaunchedProcess target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var observation = "no answer yet";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (target.Process.HasExited)
            {
                return new Readiness(target, ReadinessOutcome.Exited, $"exited with code {await target.Process.Exited}");
            }

            try
            {
                using var response = await http.GetAsync(target.HealthUrl, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return new Readiness(target, ReadinessOutcome.Healthy, "200 OK");
                }

                observation = $"GET {target.HealthUrl} answered {(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (HttpRequestException e)
            {
                observation = $"GET {target.HealthUrl} failed: {e.Message}";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                observation = $"GET {target.HealthUrl} timed out";
            }

            if (timeProvider.GetElapsedTime(started) >= timeout)
            {
                return new Readiness(target, ReadinessOutcome.TimedOut, observation);
            }

            // Wake early when the process exits, so a crash is reported at once.
            await Task.WhenAny(target.Process.Exited, Task.Delay(PollInterval, timeProvider, cancellationToken));
        }
    }
}
