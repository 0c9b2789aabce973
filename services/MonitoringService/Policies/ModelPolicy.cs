using MlOps.Contracts.Monitoring;

namespace MlOps.MonitoringService.Policies;

/// <summary>
/// A model's policy with every value set and checked: what the scheduler and the checks work from. Built from a
/// request (<see cref="TryCreate"/>, which lists every invalid field) or from its row.
/// </summary>
public sealed record ModelPolicy(
    TimeSpan CheckInterval,
    TimeSpan? Window,
    int? Last,
    double PValueThreshold,
    double DistanceThreshold,
    double DriftShare,
    double MaxPerformanceDrop,
    int MinDriftSamples,
    int MinFeedbackSamples,
    bool AutoRetrain,
    TimeSpan RetrainCooldown,
    Uri? WebhookUrl)
{
    public static readonly TimeSpan MinCheckInterval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxCheckInterval = TimeSpan.FromDays(7);
    public static readonly TimeSpan MinWindow = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(90);
    public static readonly TimeSpan MaxRetrainCooldown = TimeSpan.FromDays(90);
    public const int MaxLast = 10_000_000;
    public const int MaxSamples = 10_000_000;
    public const double MaxDistanceThreshold = 10;
    public const int MaxWebhookUrlLength = 2000;

    /// <summary>Evidently's defaults for the tests; an hourly check of the last hour; no automatic retraining.</summary>
    public static readonly ModelPolicy Default = new(
        CheckInterval: TimeSpan.FromHours(1),
        Window: TimeSpan.FromHours(1),
        Last: null,
        PValueThreshold: 0.05,
        DistanceThreshold: 0.1,
        DriftShare: 0.5,
        MaxPerformanceDrop: 0.05,
        MinDriftSamples: 100,
        MinFeedbackSamples: 100,
        AutoRetrain: false,
        RetrainCooldown: TimeSpan.FromDays(1),
        WebhookUrl: null);

    /// <summary>The request's values over the defaults, or every reason it was refused, by field.</summary>
    public static bool TryCreate(MonitoringPolicy request, out ModelPolicy policy, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var checkInterval = Duration(request.CheckInterval, "checkInterval", Default.CheckInterval, MinCheckInterval, MaxCheckInterval, errors);
        TimeSpan? window = null;
        if (request.Window is not null && request.Last is not null)
        {
            errors["window"] = ["Give either window or last, not both."];
        }
        else if (request.Last is { } last)
        {
            Check(last is >= 1 and <= MaxLast, "last", $"last must be between 1 and {MaxLast:N0} predictions.", errors);
        }
        else
        {
            window = Duration(request.Window, "window", Default.Window!.Value, MinWindow, MaxWindow, errors);
        }

        var pValue = request.PValueThreshold ?? Default.PValueThreshold;
        Check(pValue is > 0 and < 1, "pValueThreshold", "pValueThreshold must be between 0 and 1, both excluded.", errors);
        var distance = request.DistanceThreshold ?? Default.DistanceThreshold;
        Check(distance is > 0 and <= MaxDistanceThreshold, "distanceThreshold", $"distanceThreshold must be above 0 and at most {MaxDistanceThreshold}.", errors);
        var share = request.DriftShare ?? Default.DriftShare;
        Check(share is > 0 and <= 1, "driftShare", "driftShare must be above 0 and at most 1.", errors);
        var drop = request.MaxPerformanceDrop ?? Default.MaxPerformanceDrop;
        Check(drop is >= 0 and <= 1, "maxPerformanceDrop", "maxPerformanceDrop must be between 0 and 1.", errors);
        var minDrift = request.MinDriftSamples ?? Default.MinDriftSamples;
        Check(minDrift is >= 1 and <= MaxSamples, "minDriftSamples", $"minDriftSamples must be between 1 and {MaxSamples:N0}.", errors);
        var minFeedback = request.MinFeedbackSamples ?? Default.MinFeedbackSamples;
        Check(minFeedback is >= 1 and <= MaxSamples, "minFeedbackSamples", $"minFeedbackSamples must be between 1 and {MaxSamples:N0}.", errors);
        var cooldown = Duration(request.RetrainCooldown, "retrainCooldown", Default.RetrainCooldown, TimeSpan.Zero, MaxRetrainCooldown, errors);
        Uri? webhook = null;
        if (request.WebhookUrl is { } url)
        {
            Check(
                url.Length <= MaxWebhookUrlLength && Uri.TryCreate(url, UriKind.Absolute, out webhook) && (webhook.Scheme == Uri.UriSchemeHttp || webhook.Scheme == Uri.UriSchemeHttps),
                "webhookUrl",
                $"webhookUrl must be an absolute http or https URL of at most {MaxWebhookUrlLength:N0} characters.",
                errors);
        }

        policy = new ModelPolicy(
            checkInterval, window, request.Last, pValue, distance, share, drop, minDrift, minFeedback,
            request.AutoRetrain ?? Default.AutoRetrain, cooldown, webhook);
        return errors.Count == 0;
    }

    public MonitoringPolicy ToContract() => new(
        Durations.Format(CheckInterval),
        Window is { } window ? Durations.Format(window) : null,
        Last,
        PValueThreshold,
        DistanceThreshold,
        DriftShare,
        MaxPerformanceDrop,
        MinDriftSamples,
        MinFeedbackSamples,
        AutoRetrain,
        Durations.Format(RetrainCooldown),
        WebhookUrl?.OriginalString);

    private static TimeSpan Duration(
        string? text, string field, TimeSpan fallback, TimeSpan min, TimeSpan max, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!Durations.TryParse(text, out var duration))
        {
            errors[field] = [$"'{text}' is not a duration: {Durations.Rule}."];
            return fallback;
        }

        Check(duration >= min && duration <= max, field, $"{field} must be between {Durations.Format(min)} and {Durations.Format(max)}.", errors);
        return duration;
    }

    private static void Check(bool valid, string field, string message, Dictionary<string, string[]> errors)
    {
        if (!valid)
        {
            errors[field] = [message];
        }
    }
}
