using Microsoft.Extensions.Options;
using MlOps.Contracts;

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

    /// <summary>The largest model file an import downloads from MLflow (256 MiB).</summary>
    public long MaxImportBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Our aliases that follow MLflow aliases (empty: none); each is checked every <see cref="FollowInterval"/>.</summary>
    public List<MlflowAliasFollow> Follow { get; set; } = [];

    /// <summary>How often followed MLflow aliases are read.</summary>
    public TimeSpan FollowInterval { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => TrackingUri is not null;

    /// <summary>Whether the settings can be used; <paramref name="problem"/> says what is wrong when not.</summary>
    public bool IsValid(out string? problem)
    {
        problem = MaxImportBytes < 1 ? "MLflow:MaxImportBytes must be at least 1."
            : FollowInterval < TimeSpan.FromMilliseconds(100) ? "MLflow:FollowInterval must be at least 100 ms."
            : Follow.Count > 0 && !Enabled ? "MLflow:Follow needs MLflow:TrackingUri."
            : Follow.FirstOrDefault(f => !Names.IsValidName(f.Model) || !Names.IsValidAlias(f.Alias) || f.MlflowAlias.Length == 0) is { } bad
                ? $"MLflow:Follow entry for '{bad.Model}' needs a model name ({Names.NameRule}), an MlflowAlias, and an Alias ({Names.AliasRule})."
            : Follow.GroupBy(f => (f.Model, f.Alias)).FirstOrDefault(g => g.Count() > 1) is { } twice
                ? $"MLflow:Follow names alias '{twice.Key.Alias}' of '{twice.Key.Model}' more than once."
            : null;
        return problem is null;
    }
}

/// <summary>
/// Makes our alias <see cref="Alias"/> (production unless set) of <see cref="Model"/> follow MLflow's alias
/// <see cref="MlflowAlias"/> of the registered model of the same name, importing the version it points at when needed.
/// </summary>
public sealed class MlflowAliasFollow
{
    public string Model { get; set; } = string.Empty;

    public string MlflowAlias { get; set; } = string.Empty;

    public string Alias { get; set; } = "production";
}

/// <summary>Refuses unusable MLflow settings at start-up, saying which.</summary>
public sealed class MlflowOptionsValidator : IValidateOptions<MlflowOptions>
{
    public ValidateOptionsResult Validate(string? name, MlflowOptions options) =>
        options.IsValid(out var problem) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem!);
}
