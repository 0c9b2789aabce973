using MlOps.Learning.Data;
using MlOps.Learning.Generators;

namespace MlOps.Learning.Tests.Generators;

public sealed class GeneratorDriftTests
{
    private const int Rows = 20_000;

    [Fact]
    public void Numeric_drift_moves_the_mean_by_stdevs_and_scales_the_spread()
    {
        // session_duration: mean 14, stdev 6 → x' = 14 + (x − 14)·1.5 + 1·6: mean 20, stdev 9.
        var plain = Generated.Table("cart-abandonment", Rows, seed: 9);
        var drifted = Generated.Table(
            "cart-abandonment", Rows, seed: 9, Drift(("session_duration", new DriftSpec(MeanShift: 1, Scale: 1.5))));

        var (mean, stdev) = Moments(plain, "session_duration");
        var (driftedMean, driftedStdev) = Moments(drifted, "session_duration");
        Assert.InRange(mean, 13.8, 14.2);
        Assert.InRange(stdev, 5.8, 6.1);
        Assert.InRange(driftedMean, 19.8, 20.2);
        Assert.InRange(driftedStdev, 8.7, 9.2);
    }

    [Fact]
    public void Undrifted_features_keep_their_values_and_the_label_follows_the_same_rule()
    {
        var plain = Generated.Table("cart-abandonment", Rows, seed: 9);
        var drifted = Generated.Table(
            "cart-abandonment", Rows, seed: 9, Drift(("cart_value", new DriftSpec(MeanShift: 2))));

        foreach (var name in new[] { "session_duration", "pages_visited", "items_in_cart" })
        {
            Assert.Equal(((NumericColumn)plain[name]).Values, ((NumericColumn)drifted[name]).Values);
        }

        Assert.Equal(Mix(plain, "time_of_day"), Mix(drifted, "time_of_day"));
        Assert.Equal(((BooleanColumn)plain["device_mobile"]).Values, ((BooleanColumn)drifted["device_mobile"]).Values);
        Assert.Equal(((BooleanColumn)plain["user_returning"]).Values, ((BooleanColumn)drifted["user_returning"]).Values);

        // Dearer carts are abandoned more often (coefficient +0.02 per dollar; +70 dollars on average).
        Assert.True(TrueRate(drifted, "abandoned") > TrueRate(plain, "abandoned") + 0.1);
    }

    [Fact]
    public void Category_mix_replaces_the_usual_one()
    {
        var drifted = Generated.Table(
            "cart-abandonment",
            Rows,
            seed: 4,
            Drift(
                ("time_of_day", new DriftSpec(CategoryMix: new Dictionary<string, double> { ["night"] = 3, ["morning"] = 1 })),
                ("device_mobile", new DriftSpec(CategoryMix: new Dictionary<string, double> { ["true"] = 0.9, ["false"] = 0.1 }))));

        var mix = Mix(drifted, "time_of_day");
        Assert.Equal(["morning", "night"], mix.Keys.Order());
        Assert.InRange(mix["night"], 0.74, 0.76);
        Assert.InRange(TrueRate(drifted, "device_mobile"), 0.89, 0.91);
        Assert.InRange(TrueRate(Generated.Table("cart-abandonment", Rows, seed: 4), "device_mobile"), 0.54, 0.56);
    }

    [Fact]
    public void Wine_drift_moves_countries_and_points()
    {
        var drifted = Generated.Table(
            "wine-price",
            Rows,
            seed: 5,
            Drift(
                ("country", new DriftSpec(CategoryMix: new Dictionary<string, double> { ["France"] = 1 })),
                ("points", new DriftSpec(MeanShift: 1))));

        Assert.Equal(["France"], Mix(drifted, "country").Keys);
        Assert.Subset(
            new HashSet<string> { "Bordeaux", "Burgundy", "Champagne", "Loire Valley", "Rhône Valley" },
            Mix(drifted, "province").Keys.ToHashSet());
        Assert.InRange(Moments(Generated.Table("wine-price", Rows, seed: 5), "points").Mean, 87.9, 88.1);
        Assert.InRange(Moments(drifted, "points").Mean, 90.8, 91.2);
    }

    [Fact]
    public void Class_mix_of_a_text_dataset_shifts_its_labels()
    {
        var drifted = Generated.Table(
            "review-sentiment",
            10_000,
            seed: 6,
            Drift(("sentiment", new DriftSpec(CategoryMix: new Dictionary<string, double> { ["negative"] = 1 }))));

        // Every review is written negative; 5 % of labels are redrawn uniformly, so about 96.7 % stay negative.
        Assert.InRange(Mix(drifted, "sentiment")["negative"], 0.955, 0.98);
    }

    [Fact]
    public void Unknown_feature_is_refused_naming_the_ones_that_can_drift()
    {
        var error = Assert.Throws<ArgumentException>(
            () => Generated.Bytes("wine-price", 10, 1, Drift(("colour", new DriftSpec(MeanShift: 1)))));

        Assert.Contains("'colour'", error.Message);
        Assert.Contains("country, vintage, points", error.Message);
    }

    [Theory]
    [InlineData("pages_visited", 0, -1, null, "Scale")]
    [InlineData("pages_visited", double.NaN, 1, null, "MeanShift")]
    [InlineData("pages_visited", 0, 1, "morning", "numeric")]
    [InlineData("time_of_day", 1, 1, null, "categorical")]
    [InlineData("time_of_day", 0, 1, "midnight", "no category 'midnight'")]
    public void Invalid_drift_is_refused(string feature, double shift, double scale, string? category, string message)
    {
        var mix = category is null ? null : new Dictionary<string, double> { [category] = 1 };
        var error = Assert.Throws<ArgumentException>(
            () => Generated.Bytes("cart-abandonment", 10, 1, Drift((feature, new DriftSpec(shift, scale, mix)))));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Category_mix_without_a_positive_weight_is_refused()
    {
        var mix = new Dictionary<string, double> { ["night"] = 0 };
        var error = Assert.Throws<ArgumentException>(
            () => Generated.Bytes("cart-abandonment", 10, 1, Drift(("time_of_day", new DriftSpec(CategoryMix: mix)))));

        Assert.Contains("positive weight", error.Message);
    }

    private static Dictionary<string, DriftSpec> Drift(params (string Feature, DriftSpec Spec)[] specs) =>
        specs.ToDictionary(s => s.Feature, s => s.Spec);

    private static (double Mean, double Stdev) Moments(DataTable table, string column)
    {
        var values = ((NumericColumn)table[column]).Values;
        var mean = values.Average();
        return (mean, Math.Sqrt(values.Average(v => (v - mean) * (v - mean))));
    }

    private static Dictionary<string, double> Mix(DataTable table, string column)
    {
        var categorical = (CategoricalColumn)table[column];
        return categorical.Codes
            .GroupBy(code => categorical.Categories[code])
            .ToDictionary(g => g.Key, g => g.Count() / (double)categorical.Codes.Length);
    }

    private static double TrueRate(DataTable table, string column) =>
        ((BooleanColumn)table[column]).Values.Count(v => v) / (double)table.RowCount;
}
