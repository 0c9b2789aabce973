using MlOps.Learning.Data;
using MlOps.Learning.Metrics;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Learning.Evaluation;

/// <summary>A model's quality on labelled rows, under the metric names the platform reports.</summary>
public sealed record EvaluationResult(LearningTask Task, int Rows, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Scores a labelled table with a model and computes the metrics of its task.</summary>
public static class ModelEvaluator
{
    /// <summary>
    /// Binary: <c>auc</c>, <c>accuracy</c>, <c>logLoss</c>, <c>f1</c>, <c>precision</c>, <c>recall</c>;
    /// multiclass: <c>accuracy</c>, <c>logLoss</c>, <c>f1</c> (macro), <c>weightedF1</c>;
    /// regression: <c>rmse</c>, <c>mae</c>, <c>r2</c>. Rows without a target value are left out.
    /// </summary>
    public static EvaluationResult Evaluate(IScoringModel model, DataTable table) => Evaluate(model, table, model.Score(table));

    /// <summary>The metrics of <paramref name="predictions"/> the model made of every row of <paramref name="table"/> (for callers that keep them).</summary>
    public static EvaluationResult Evaluate(IScoringModel model, DataTable table, Prediction[] predictions)
    {
        if (predictions.Length != table.RowCount)
        {
            throw new ArgumentException($"{predictions.Length} predictions for {table.RowCount} rows.", nameof(predictions));
        }

        var target = table[model.Target];
        var rows = Enumerable.Range(0, table.RowCount).Where(row => !target.IsMissing(row)).ToArray();
        if (rows.Length == 0)
        {
            throw new DataException($"No row has a value for the target '{model.Target}' to evaluate against.");
        }

        return model.Task switch
        {
            LearningTask.Regression => Regression(model, target, predictions, rows),
            LearningTask.BinaryClassification => Binary(model, target, predictions, rows),
            _ => Multiclass(model, target, predictions, rows),
        };
    }

    private static EvaluationResult Regression(IScoringModel model, DataColumn target, Prediction[] predictions, int[] rows)
    {
        if (target is not NumericColumn numeric)
        {
            throw new DataException($"The target '{model.Target}' must be numeric to evaluate a regression model.");
        }

        var actual = new double[rows.Length];
        var predicted = new double[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            actual[i] = numeric.Values[rows[i]];
            predicted[i] = predictions[rows[i]].Value!.Value;
        }

        return new EvaluationResult(model.Task, rows.Length, RegressionMetricsOf(actual, predicted));
    }

    /// <summary><c>rmse</c>, <c>mae</c> and <c>r2</c> (NaN for a single row, as scikit-learn) of predicted values.</summary>
    public static Dictionary<string, double> RegressionMetricsOf(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        var metrics = RegressionMetrics.Compute(actual, predicted);
        return new Dictionary<string, double>
        {
            ["rmse"] = metrics.Rmse,
            ["mae"] = metrics.Mae,
            ["r2"] = metrics.R2,
        };
    }

    private static EvaluationResult Binary(IScoringModel model, DataColumn target, Prediction[] predictions, int[] rows)
    {
        var actual = ClassCodes(model, target, rows);
        var positive = new double[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            positive[i] = predictions[rows[i]].Probabilities![1];
        }

        return new EvaluationResult(model.Task, rows.Length, BinaryMetricsOf(actual, positive, oneClassAllowed: false));
    }

    /// <summary>
    /// <c>auc</c>, <c>accuracy</c>, <c>logLoss</c>, <c>f1</c>, <c>precision</c> and <c>recall</c> of class codes (0, 1)
    /// against the probability of class 1. With <paramref name="oneClassAllowed"/>, rows of one class are scored
    /// without <c>auc</c>, which they leave undefined.
    /// </summary>
    public static Dictionary<string, double> BinaryMetricsOf(ReadOnlySpan<int> actual, ReadOnlySpan<double> positive, bool oneClassAllowed)
    {
        var metrics = BinaryMetrics.Compute(actual, positive, oneClassAllowed: oneClassAllowed);
        var result = new Dictionary<string, double>
        {
            ["accuracy"] = metrics.Accuracy,
            ["logLoss"] = metrics.LogLoss,
            ["f1"] = metrics.F1,
            ["precision"] = metrics.Precision,
            ["recall"] = metrics.Recall,
        };
        if (!double.IsNaN(metrics.RocAuc))
        {
            result["auc"] = metrics.RocAuc;
        }

        return result;
    }

    private static EvaluationResult Multiclass(IScoringModel model, DataColumn target, Prediction[] predictions, int[] rows)
    {
        var actual = ClassCodes(model, target, rows);
        var classes = model.Classes.Count;
        var probabilities = new double[rows.Length * classes];
        for (var i = 0; i < rows.Length; i++)
        {
            predictions[rows[i]].Probabilities!.CopyTo(probabilities, i * classes);
        }

        return new EvaluationResult(model.Task, rows.Length, MulticlassMetricsOf(actual, probabilities, classes));
    }

    /// <summary>
    /// <c>accuracy</c>, <c>logLoss</c>, <c>f1</c> (macro) and <c>weightedF1</c> of class codes against each row's
    /// probabilities, row after row (<paramref name="classes"/> values a row).
    /// </summary>
    public static Dictionary<string, double> MulticlassMetricsOf(ReadOnlySpan<int> actual, ReadOnlySpan<double> probabilities, int classes)
    {
        var metrics = MulticlassMetrics.Compute(actual, probabilities, classes);
        return new Dictionary<string, double>
        {
            ["accuracy"] = metrics.Accuracy,
            ["logLoss"] = metrics.LogLoss,
            ["f1"] = metrics.MacroF1,
            ["weightedF1"] = metrics.WeightedF1,
        };
    }

    private static int[] ClassCodes(IScoringModel model, DataColumn target, int[] rows)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < model.Classes.Count; k++)
        {
            index[model.Classes[k]] = k;
        }

        var codes = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var label = TargetEncoding.LabelAt(target, rows[i]);
            codes[i] = index.TryGetValue(label, out var code)
                ? code
                : throw new DataException(
                    $"Row {rows[i] + 1} has the class '{label}' for '{model.Target}', which the model never saw in training.");
        }

        return codes;
    }
}
