using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Contracts.Monitoring;

/// <summary>
/// How a model is watched (<c>GET</c>/<c>PUT /api/monitoring/{model}/policy</c>). Durations are a whole number and a
/// unit: <c>90s</c>, <c>15m</c>, <c>1h</c>, <c>7d</c>. A check covers either the last <see cref="Window"/> of
/// predictions or the last <see cref="Last"/> predictions, never both. In a <c>PUT</c> every field may be left out and
/// takes its default.
/// </summary>
/// <param name="CheckInterval">How often the scheduler checks the model (default <c>1h</c>).</param>
/// <param name="Window">The time window a check covers (default <c>1h</c> when <see cref="Last"/> is not given).</param>
/// <param name="Last">Instead of a window: the newest this many predictions.</param>
/// <param name="PValueThreshold">A feature whose test's p-value is below this has drifted (KS, chi-square, z-test).</param>
/// <param name="DistanceThreshold">A feature whose distance is at or above this has drifted (Wasserstein, Jensen–Shannon, PSI).</param>
/// <param name="DriftShare">The share of drifted features at which the dataset has drifted.</param>
/// <param name="MaxPerformanceDrop">How far the primary metric may fall below the validation value before it is decay.</param>
/// <param name="MinDriftSamples">Fewer predictions than this in the window: no drift verdict.</param>
/// <param name="MinFeedbackSamples">Fewer labelled predictions than this in the window: no performance verdict.</param>
/// <param name="AutoRetrain">Whether drift or decay starts a training job on the newest dataset version.</param>
/// <param name="RetrainCooldown">The least time between two automatic retrainings of the model.</param>
/// <param name="WebhookUrl">Where a JSON notice is posted whenever the model's drift or decay state changes (http or https).</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MonitoringPolicy(
    string? CheckInterval = null,
    string? Window = null,
    int? Last = null,
    double? PValueThreshold = null,
    double? DistanceThreshold = null,
    double? DriftShare = null,
    double? MaxPerformanceDrop = null,
    int? MinDriftSamples = null,
    int? MinFeedbackSamples = null,
    bool? AutoRetrain = null,
    string? RetrainCooldown = null,
    string? WebhookUrl = null);

/// <summary>A model's policy with every field filled in, whether it is still the default, and who set it when.</summary>
public sealed record MonitoringPolicyResponse(
    string Model,
    MonitoringPolicy Policy,
    bool IsDefault,
    string? UpdatedBy,
    DateTimeOffset? UpdatedAt);

/// <summary>
/// A drift check of a model version over a window of its predictions: every feature's test, statistic, threshold and
/// verdict, the prediction's own drift, and the dataset verdict. <see cref="DatasetDrift"/> is null when the window
/// held fewer predictions than the policy's minimum (<see cref="Note"/> says so). A statistic may be <c>Infinity</c> (a
/// category the reference never had makes chi-square infinite).
/// </summary>
public sealed record DriftReport(
    string Model,
    int Version,
    DateTimeOffset? WindowStart,
    DateTimeOffset? WindowEnd,
    long Predictions,
    bool? DatasetDrift,
    int DriftedFeatures,
    double DriftedShare,
    double DriftShare,
    IReadOnlyList<FeatureDriftResult> Features,
    FeatureDriftResult? PredictionDrift,
    IReadOnlyList<SkippedFeature> Skipped,
    string? Note,
    DateTimeOffset? CheckedAt = null);

/// <summary>
/// One feature's test: <c>ks</c>, <c>chisquare</c>, <c>z</c> (drift when the p-value is below the threshold) or
/// <c>wasserstein</c>, <c>jensenshannon</c> (drift when the distance is at or above it), over this many current values.
/// </summary>
public sealed record FeatureDriftResult(
    string Feature, string Type, string Test, double Statistic, double? PValue, double Threshold, bool Drifted, long CurrentValues);

/// <summary>A feature the check could not test, and why.</summary>
public sealed record SkippedFeature(string Feature, string Reason);

/// <summary>
/// <c>POST /api/feedback</c>: the actual outcome of one logged prediction (<c>predictionId</c>, <c>actual</c>) or of
/// several (<c>items</c>, at most 1,000). <c>actual</c> is a class the model knows, as a string or a number, or a number
/// for a regression model.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FeedbackRequest(Guid? PredictionId, JsonElement Actual, IReadOnlyList<FeedbackItem>? Items);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FeedbackItem(Guid? PredictionId, JsonElement Actual);

/// <summary>How many outcomes were stored, and how many repeated one already stored (the same actual value: no change).</summary>
public sealed record FeedbackResponse(int Accepted, int Duplicates);

/// <summary>
/// Live quality of a model version: its task's metrics over the labelled predictions of a window, beside its
/// validation metrics. The primary metric's <see cref="Drop"/> is relative to the validation value, in the metric's
/// bad direction (a fall for auc or f1, a rise for rmse); decay when it exceeds <see cref="MaxDrop"/>.
/// <see cref="Decay"/> is null when fewer than <see cref="MinSamples"/> predictions were labelled.
/// </summary>
public sealed record PerformanceReport(
    string Model,
    int Version,
    DateTimeOffset? WindowStart,
    DateTimeOffset WindowEnd,
    long Labelled,
    int MinSamples,
    IReadOnlyDictionary<string, double> Live,
    IReadOnlyDictionary<string, double> Validation,
    string PrimaryMetric,
    bool HigherIsBetter,
    double? Drop,
    double MaxDrop,
    bool? Decay,
    string? Note,
    DateTimeOffset CheckedAt);

/// <summary>
/// What the policy's webhook receives when a model's state changes: whether its production version has drifted and
/// whether it has decayed (null: no verdict yet), before and after, why, and the retraining job it started, if any.
/// </summary>
public sealed record ModelStateNotice(
    string Model,
    int Version,
    bool? Drift,
    bool? Decay,
    bool? PreviousDrift,
    bool? PreviousDecay,
    string Reason,
    Guid? RetrainJobId,
    DateTimeOffset At);

/// <summary>An automatic retraining: when, why, for which version, and the job it started (or why the trainer refused).</summary>
public sealed record RetrainRecord(long Id, string Model, int Version, DateTimeOffset RequestedAt, string Reason, Guid? JobId, string? Error);
