using MlOps.Contracts;
using MlOps.MonitoringService.Policies;

namespace MlOps.MonitoringService.Checks;

/// <summary>
/// What a check covers: the version behind an alias of a model, over a time window or the newest this many
/// predictions. A request naming neither asks for the newest stored report instead of a fresh check.
/// </summary>
public sealed record CheckScope(string Model, string Alias, TimeSpan? Window, int? Last)
{
    public const string DefaultAlias = "production";

    public bool IsFresh => Window is not null || Last is not null;

    /// <summary>What the scheduler checks: the production version over the policy's window.</summary>
    public static CheckScope Scheduled(string model, ModelPolicy policy) => new(model, DefaultAlias, policy.Window, policy.Last);

    /// <summary>A check's query (<c>?window=</c> or <c>?last=</c>, <c>?alias=</c>), or every reason it is refused, by field.</summary>
    public static bool TryParse(string model, string? window, int? last, string? alias, out CheckScope scope, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (!Names.IsValidName(model))
        {
            errors["model"] = [$"'{model}' is not a model name: {Names.NameRule}."];
        }

        alias ??= DefaultAlias;
        if (!Names.IsValidAlias(alias))
        {
            errors["alias"] = [$"'{alias}' is not an alias: {Names.AliasRule}."];
        }

        TimeSpan? span = null;
        if (window is not null && last is not null)
        {
            errors["window"] = ["Give either window or last, not both."];
        }
        else if (window is not null)
        {
            if (Durations.TryParse(window, out var parsed) && parsed >= ModelPolicy.MinWindow && parsed <= ModelPolicy.MaxWindow)
            {
                span = parsed;
            }
            else
            {
                errors["window"] = [$"window must be {Durations.Rule}, between {Durations.Format(ModelPolicy.MinWindow)} and {Durations.Format(ModelPolicy.MaxWindow)}."];
            }
        }
        else if (last is < 1 or > ModelPolicy.MaxLast)
        {
            errors["last"] = [$"last must be between 1 and {ModelPolicy.MaxLast:N0} predictions."];
        }

        scope = new CheckScope(model, alias, span, last);
        return errors.Count == 0;
    }
}
