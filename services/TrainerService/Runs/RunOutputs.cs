using System.Globalization;
using System.Text;
using MlOps.Contracts.Datasets;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Profiling;
using MlOps.Learning.Training;
using MlOps.Learning.Trees;

namespace MlOps.TrainerService.Runs;

/// <summary>What a run derives from its model and validation split besides metrics: artifacts, the input schema, reference profiles.</summary>
public static class RunOutputs
{
    /// <summary>
    /// Per input column, largest first: for a linear model the largest absolute coefficient among its features over
    /// every output; for trees the total gain of the splits on its features; for an ML.NET predictor the sum of what
    /// ML.NET reports for its features (trees' gain, a linear model's absolute weights).
    /// </summary>
    public static IReadOnlyList<FeatureImportance> FeatureImportance(Model model)
    {
        var perFeature = model.Predictor switch
        {
            TreeEnsemblePredictor trees => trees.FeatureImportance().Gain,
            PackagedPredictor packaged => packaged.FeatureImportance(),
            _ => null,
        };
        if (perFeature is not null)
        {
            var byColumn = model.Featurizer.Columns
                .Select(column => new FeatureImportance(column.Column, perFeature.AsSpan(column.Offset, column.Width).ToArray().Sum()))
                .ToList();
            byColumn.Sort((a, b) => b.Importance.CompareTo(a.Importance));
            return byColumn;
        }

        var predictor = (LinearPredictor)model.Predictor;
        var importance = new List<FeatureImportance>(model.Featurizer.Columns.Count);
        foreach (var column in model.Featurizer.Columns)
        {
            var largest = 0.0;
            for (var output = 0; output < predictor.Outputs; output++)
            {
                var weights = predictor.WeightsOf(output).Slice(column.Offset, column.Width);
                foreach (var weight in weights)
                {
                    largest = Math.Max(largest, Math.Abs(weight));
                }
            }

            importance.Add(new FeatureImportance(column.Column, largest));
        }

        importance.Sort((a, b) => b.Importance.CompareTo(a.Importance));
        return importance;
    }

    public static ConfusionMatrixArtifact ConfusionMatrix(IScoringModel model, DataColumn target, Prediction[] predictions)
    {
        var classes = model.Classes;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < classes.Count; k++)
        {
            index[classes[k]] = k;
        }

        var counts = new long[classes.Count][];
        for (var k = 0; k < classes.Count; k++)
        {
            counts[k] = new long[classes.Count];
        }

        for (var row = 0; row < predictions.Length; row++)
        {
            if (!target.IsMissing(row) && index.TryGetValue(Label(target, row), out var actual) && index.TryGetValue(predictions[row].Label!, out var predicted))
            {
                counts[actual][predicted]++;
            }
        }

        var perClass = new ClassMetrics[classes.Count];
        for (var k = 0; k < classes.Count; k++)
        {
            long predicted = 0;
            for (var actual = 0; actual < classes.Count; actual++)
            {
                predicted += counts[actual][k];
            }

            var support = counts[k].Sum();
            var precision = predicted == 0 ? 0 : (double)counts[k][k] / predicted;
            var recall = support == 0 ? 0 : (double)counts[k][k] / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass[k] = new ClassMetrics(classes[k], precision, recall, f1, support);
        }

        return new ConfusionMatrixArtifact(classes, counts, perClass);
    }

    public static ResidualSummary Residuals(NumericColumn target, Prediction[] predictions)
    {
        var residuals = new List<double>(predictions.Length);
        for (var row = 0; row < predictions.Length; row++)
        {
            if (!target.Missing[row])
            {
                residuals.Add(target.Values[row] - predictions[row].Value!.Value);
            }
        }

        if (residuals.Count == 0)
        {
            return new ResidualSummary(0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        residuals.Sort();
        var mean = residuals.Average();
        var deviation = Math.Sqrt(residuals.Sum(r => (r - mean) * (r - mean)) / residuals.Count);
        return new ResidualSummary(
            residuals.Count,
            mean,
            deviation,
            residuals.Average(Math.Abs),
            residuals[0],
            residuals[^1],
            Quantile(residuals, 0.05),
            Quantile(residuals, 0.5),
            Quantile(residuals, 0.95));
    }

    /// <summary>The columns a version takes, with the categories a categorical column was trained on.</summary>
    public static IReadOnlyList<InputField> Inputs(Model model) => model.Featurizer.Columns
        .Select(column => new InputField(
            column.Column,
            column.SourceType.ToString().ToLowerInvariant(),
            column is CategoricalFeaturizer categorical ? categorical.Categories : null))
        .ToArray();

    /// <summary>How many values of each numeric column a reference profile keeps.</summary>
    public const int ReferenceSampleSize = 2000;

    /// <summary>A seeded sample of each numeric column of the data but the target, by column.</summary>
    public static Dictionary<string, double[]> FeatureSamples(DataTable table, string target, long seed)
    {
        var samples = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var column in table.Columns)
        {
            if (column is NumericColumn numeric && column.Name != target)
            {
                samples[column.Name] = ValueSample.Draw(numeric, ReferenceSampleSize, seed);
            }
        }

        return samples;
    }

    /// <summary>How many pictures' sketches a reference profile keeps per image column.</summary>
    public const int ReferenceSketchCount = 500;

    /// <summary>The sketches of a seeded sample of each image column's pictures, by column; null when the data has none.</summary>
    public static Dictionary<string, float[][]>? ImageSketches(DataTable table, long seed)
    {
        var sketches = table.Columns.OfType<EmbeddingColumn>().ToDictionary(
            column => column.Name, column => ImageSketch.Sample(column, ReferenceSketchCount, seed), StringComparer.Ordinal);
        return sketches.Count == 0 ? null : sketches;
    }

    /// <summary>
    /// A seeded sample of the model's numeric outputs on its validation split: <c>prediction</c> for a regression,
    /// <c>probability</c> of the second class for a binary model; none for a multiclass model (its labels are counted).
    /// </summary>
    public static Dictionary<string, double[]> PredictionSamples(IScoringModel model, Prediction[] predictions, long seed)
    {
        var (name, select) = model.Task switch
        {
            LearningTask.Regression => ("prediction", (Func<Prediction, double>)(p => p.Value!.Value)),
            LearningTask.BinaryClassification => ("probability", p => p.Probabilities![1]),
            _ => (null, null),
        };
        if (name is null || select is null || predictions.Length == 0)
        {
            return [];
        }

        var values = new double[predictions.Length];
        for (var i = 0; i < predictions.Length; i++)
        {
            values[i] = select(predictions[i]);
        }

        return new Dictionary<string, double[]>(StringComparer.Ordinal) { [name] = ValueSample.Draw(values, ReferenceSampleSize, seed) };
    }

    /// <summary>The training data's profile without the target: the features live traffic is compared with.</summary>
    /// <summary>
    /// What drift is measured against: the training features' profile and samples, and the profile and samples of the
    /// model's <paramref name="predictions"/> on its validation rows. The version number is filled in when read.
    /// </summary>
    public static ReferenceProfile Reference(
        string modelName, DatasetProfile dataset, DataTable table, IScoringModel model, Prediction[] predictions, long seed, CancellationToken cancellationToken) => new(
            modelName,
            0,
            FeatureProfile(dataset, model.Target),
            PredictionProfile(model, predictions, cancellationToken),
            FeatureSamples(table, model.Target, seed),
            PredictionSamples(model, predictions, seed),
            ImageSketches(table, seed));

    public static DatasetProfile FeatureProfile(DatasetProfile dataset, string target) =>
        dataset with { Columns = dataset.Columns.Where(column => column.Name != target).ToArray() };

    /// <summary>
    /// The profile of the model's predictions on its validation split, from the same profiler as datasets:
    /// <c>prediction</c> (the label or value) and, for binary models, <c>probability</c> of the second class.
    /// </summary>
    public static DatasetProfile PredictionProfile(IScoringModel model, Prediction[] predictions, CancellationToken cancellationToken)
    {
        var binary = model.Task == LearningTask.BinaryClassification;
        var csv = new StringBuilder(binary ? "prediction,probability\n" : "prediction\n");
        foreach (var prediction in predictions)
        {
            if (model.Task == LearningTask.Regression)
            {
                csv.Append(prediction.Value!.Value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                continue;
            }

            csv.Append('"').Append(prediction.Label!.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            if (binary)
            {
                csv.Append(',').Append(prediction.Probabilities![1].ToString("R", CultureInfo.InvariantCulture));
            }

            csv.Append('\n');
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        var types = new Dictionary<string, ColumnType>
        {
            ["prediction"] = model.Task == LearningTask.Regression ? ColumnType.Numeric : ColumnType.Categorical,
        };
        return CsvProfiler.Profile(stream, csv: new CsvReadOptions { ColumnTypes = types }, ct: cancellationToken);
    }

    /// <summary>A row's class label as the model names classes (numbers in round-trip form).</summary>
    public static string Label(DataColumn column, int row) => column switch
    {
        NumericColumn numeric => numeric.Values[row].ToString("R", CultureInfo.InvariantCulture),
        BooleanColumn boolean => boolean.Values[row] ? "true" : "false",
        CategoricalColumn categorical => categorical.ValueAt(row)!,
        TextColumn text => text.Values[row]!,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.GetType().Name, "Unknown column kind."),
    };

    /// <summary>One integer per row for a stratified split: rows of a class share it; rows without a target get -1.</summary>
    public static int[] StratifyLabels(DataColumn target)
    {
        var codes = new int[target.Length];
        var classes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var row = 0; row < codes.Length; row++)
        {
            if (target.IsMissing(row))
            {
                codes[row] = -1;
                continue;
            }

            var label = Label(target, row);
            if (!classes.TryGetValue(label, out var code))
            {
                code = classes.Count;
                classes[label] = code;
            }

            codes[row] = code;
        }

        return codes;
    }

    private static double Quantile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }
}
