using System.Globalization;

namespace MlOps.MonitoringService.Policies;

/// <summary>Durations as people write them in policies and query strings: a whole number and a unit (s, m, h, d).</summary>
public static class Durations
{
    public const string Rule = "a whole number followed by s, m, h or d (e.g. 90s, 15m, 1h, 7d)";

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text) || text.Length > 12)
        {
            return false;
        }

        var unit = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            _ => TimeSpan.Zero,
        };
        if (unit == TimeSpan.Zero
            || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return false;
        }

        duration = unit * count;
        return true;
    }

    /// <summary>The largest unit that divides the duration exactly: 3600 s is <c>1h</c>, 5400 s is <c>90m</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        return seconds switch
        {
            0 => "0s",
            _ when seconds % 86_400 == 0 => $"{seconds / 86_400}d",
            _ when seconds % 3_600 == 0 => $"{seconds / 3_600}h",
            _ when seconds % 60 == 0 => $"{seconds / 60}m",
            _ => $"{seconds}s",
        };
    }
}
