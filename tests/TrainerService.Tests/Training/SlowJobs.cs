namespace MlOps.TrainerService.Tests.Training;

/// <summary>
/// Jobs that train long enough to be caught running. Multinomial logistic regression on hashed review text without a
/// penalty or an improvement test: the text makes the classes nearly separable, so the unpenalized optimum keeps
/// receding and L-BFGS runs until its iteration limit (measured: about 2,000 iterations and 40 s on 5,000 rows; one
/// iteration takes about 20 ms on one of our cores).
/// </summary>
internal static class SlowJobs
{
    public const string Dataset = "slow-reviews";
    public const int Rows = 5_000;

    public static object Request(string model, int maxIterations = 100_000, string promote = "never") => new
    {
        dataset = Dataset,
        target = "sentiment",
        algorithm = "logistic-regression",
        model,
        promote,
        hyperparameters = new { l2 = 0, tolerance = 0, maxIterations },
    };

    /// <summary>
    /// Enough rows that a job run until canceled cannot end on its own first: on 5,000 rows the optimizer stopped by
    /// itself within seconds on a loaded machine, before a test had seen it running (CI, 2026-12-06).
    /// </summary>
    public const int RowsToCancel = 50_000;

    public static Task GenerateAsync(TrainerPlatform platform, int rows = Rows) => platform.GenerateAsync(Dataset, "review-sentiment", rows);
}
