using MlOps.MonitoringService.Policies;

namespace MlOps.MonitoringService.Tests.Policies;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("1h", 3600)]
    [InlineData("7d", 604800)]
    [InlineData("0s", 0)]
    public void Parses_a_whole_number_and_a_unit(string text, int seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("h")]
    [InlineData("1.5h")]
    [InlineData("-1h")]
    [InlineData("+1h")]
    [InlineData(" 1h")]
    [InlineData("1H")]
    [InlineData("1w")]
    [InlineData("99999999999h")]
    public void Refuses_anything_else(string text) => Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData(90, "90s")]
    [InlineData(5400, "90m")]
    [InlineData(7200, "2h")]
    [InlineData(172800, "2d")]
    [InlineData(0, "0s")]
    public void Formats_in_the_largest_unit_that_divides_exactly(int seconds, string text) =>
        Assert.Equal(text, Durations.Format(TimeSpan.FromSeconds(seconds)));
}
