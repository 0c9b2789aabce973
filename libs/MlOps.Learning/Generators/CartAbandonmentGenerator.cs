using MlOps.Learning.Training;

namespace MlOps.Learning.Generators;

/// <summary>
/// Online-shop sessions that reached the cart; <c>abandoned</c> when a linear score of the session plus standard normal
/// noise is positive (a probit model). Rule and distributions: <c>docs/generators.md</c>.
/// </summary>
internal sealed class CartAbandonmentGenerator : SyntheticGenerator
{
    private static readonly string[] TimesOfDay = ["morning", "afternoon", "evening", "night"];
    private static readonly double[] TimeOfDayWeights = [0.25, 0.35, 0.30, 0.10];
    private static readonly double[] TimeOfDayEffects = [-0.3, 0, 0.2, 0.8];

    public override string Name => "cart-abandonment";

    public override string Target => "abandoned";

    public override LearningTask Task => LearningTask.BinaryClassification;

    public override string Description =>
        "Online-shop sessions with a filled cart: duration, pages, cart value and size, time of day, device and whether "
        + "the visitor is returning; predict whether the cart is abandoned (binary).";

    protected override IReadOnlyList<string> Columns { get; } =
    [
        "session_duration", "pages_visited", "cart_value", "time_of_day", "device_mobile", "user_returning",
        "items_in_cart", "abandoned",
    ];

    protected override IReadOnlyList<DriftableFeature> DriftableFeatures { get; } =
    [
        DriftableFeature.Numeric("session_duration", 14, 6),
        DriftableFeature.Numeric("pages_visited", 9, 4),
        DriftableFeature.Numeric("cart_value", 80, 35),
        DriftableFeature.Categorical("time_of_day", TimesOfDay, TimeOfDayWeights),
        DriftableFeature.Boolean("device_mobile", 0.55),
        DriftableFeature.Boolean("user_returning", 0.40),
        DriftableFeature.Numeric("items_in_cart", 3.5, 2),
    ];

    protected override Action<GeneratorRandom, CsvRowWriter> Start(FeatureDrift drift, double overlap)
    {
        var duration = drift.Numeric("session_duration");
        var pages = drift.Numeric("pages_visited");
        var value = drift.Numeric("cart_value");
        var timeOfDay = drift.Categorical("time_of_day");
        var mobile = drift.Categorical("device_mobile");
        var returning = drift.Categorical("user_returning");
        var items = drift.Numeric("items_in_cart");

        return (random, csv) =>
        {
            var sessionDuration = Math.Round(Clip(duration.Apply(14 + (6 * random.NextNormal())), 0.5, 240), 2);
            var pagesVisited = (int)Math.Round(Clip(pages.Apply(9 + (4 * random.NextNormal())), 1, 200));
            var cartValue = Math.Round(Clip(value.Apply(80 + (35 * random.NextNormal())), 5, 5000), 2);
            var time = timeOfDay.Sample(random);
            var isMobile = mobile.Sample(random) == 0;
            var isReturning = returning.Sample(random) == 0;
            var itemsInCart = (int)Math.Round(Clip(items.Apply(3.5 + (2 * random.NextNormal())), 1, 100));

            var score = 0.4
                + (0.02 * (cartValue - 80))
                - (0.10 * (sessionDuration - 14))
                - (0.12 * (pagesVisited - 9))
                + (0.15 * (itemsInCart - 3.5))
                + (isMobile ? 0.7 : 0)
                - (isReturning ? 1.0 : 0)
                + TimeOfDayEffects[time];
            var abandoned = score + random.NextNormal() > 0;

            csv.Number(sessionDuration, 2);
            csv.Integer(pagesVisited);
            csv.Number(cartValue, 2);
            csv.Text(TimesOfDay[time]);
            csv.Boolean(isMobile);
            csv.Boolean(isReturning);
            csv.Integer(itemsInCart);
            csv.Boolean(abandoned);
        };
    }
}
