using MlOps.Learning.Data;
using MlOps.Learning.Evaluation;
using MlOps.Learning.Training;
using Xunit.Abstractions;

namespace MlOps.Learning.Tests.Generators;

/// <summary>
/// Each generator's documented floor (docs/generators.md) is reached by the library's linear model (logistic regression
/// for classification, ridge for regression, default options) trained on 80 % and evaluated on the other 20 %.
/// </summary>
public sealed class GeneratorAccuracyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("cart-abandonment", 20_000, "accuracy", 0.77)]
    [InlineData("cart-abandonment", 20_000, "auc", 0.85)]
    [InlineData("wine-price", 20_000, "r2", 0.88)]
    [InlineData("product-category", 10_000, "accuracy", 0.92)]
    [InlineData("review-sentiment", 10_000, "accuracy", 0.76)]
    public void Documented_floor_is_reached_by_a_linear_model(string name, int rows, string metric, double floor)
    {
        var generator = Generated.Generator(name);
        var table = Generated.Table(name, rows, seed: 2024);
        var split = DataSplit.Split(table.RowCount, 0.8, 0, seed: 1);

        var model = LinearTrainer.Train(table.Take(split.Train), generator.Target, generator.Task);
        var result = ModelEvaluator.Evaluate(model, table.Take(split.Test));

        output.WriteLine($"{name}: {string.Join(", ", result.Metrics.Select(m => $"{m.Key}={m.Value:F4}"))}");
        Assert.Equal(generator.Task, model.Task);
        Assert.True(result.Metrics[metric] >= floor, $"{metric} {result.Metrics[metric]:F4} is below the documented {floor}");
    }
}
