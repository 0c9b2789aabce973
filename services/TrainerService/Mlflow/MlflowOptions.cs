namespace MlOps.TrainerService.Mlflow;

/// <summary>The MLflow mirror's settings (section <c>MLflow</c>; <c>MLflow__TrackingUri</c> turns it on).</summary>
public sealed class MlflowOptions
{
    public const string SectionName = "MLflow";

    /// <summary>The MLflow tracking server; when unset nothing is mirrored and nothing is queued.</summary>
    public Uri? TrackingUri { get; set; }

    /// <summary>How often the mirror looks for new entries when it has sent everything.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait before trying an unreachable MLflow again (the wait doubles from 1 s up to this).</summary>
    public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a new model version may stay pending registration in MLflow.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public bool Enabled => TrackingUri is not null;
}
