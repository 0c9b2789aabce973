using MlOps.Learning.Data;
using MlOps.Learning.Metrics;
using MlOps.Learning.Training;

namespace MlOps.Learning.Drift;

/// <summary>
/// Drift of vectors (pictures' <see cref="Features.ImageSketch"/>es) by a domain classifier, as Evidently's embeddings
/// drift (<c>model</c> method): a logistic regression learns to tell the reference vectors from the current ones, and
/// its ROC AUC on rows it did not learn from (two folds, each scored by the model of the other, seeded) says how far
/// apart the two sets are: about 0.5 when they come from one distribution, towards 1 as they part. Drift when the AUC
/// reaches the threshold (0.55 by default, Evidently's).
/// </summary>
public static class EmbeddingDrift
{
    public const string Test = "domain-classifier";

    public const double DefaultThreshold = 0.55;

    /// <summary>Fewer vectors than this on either side are not tested.</summary>
    public const int MinimumVectors = 20;

    public static FeatureDrift DomainClassifier(
        string feature, IReadOnlyList<float[]> reference, IReadOnlyList<float[]> current, double threshold = DefaultThreshold, long seed = 7)
    {
        if (reference.Count < MinimumVectors || current.Count < MinimumVectors)
        {
            throw new ArgumentException($"Feature '{feature}' needs at least {MinimumVectors} vectors on each side; it has {reference.Count} and {current.Count}.");
        }

        var dimensions = reference[0].Length;
        var rows = reference.Count + current.Count;
        var fold = Folds(reference.Count, current.Count, seed);
        var labels = new int[rows];
        Array.Fill(labels, 1, reference.Count, current.Count);
        var scores = new double[rows];
        for (var held = 0; held < 2; held++)
        {
            var train = Enumerable.Range(0, rows).Where(row => fold[row] != held).ToArray();
            var test = Enumerable.Range(0, rows).Where(row => fold[row] == held).ToArray();
            var model = LinearTrainer.Train(Table(reference, current, labels, train, dimensions), "domain", LearningTask.BinaryClassification);
            var predictions = model.Score(Table(reference, current, labels, test, dimensions));
            var positive = model.Classes[1] == "1" ? 1 : 0;
            for (var i = 0; i < test.Length; i++)
            {
                scores[test[i]] = predictions[i].Probabilities![positive];
            }
        }

        var auc = RocAuc.Compute(labels, scores);
        return new FeatureDrift(feature, Test, auc, null, threshold, auc >= threshold);
    }

    /// <summary>Each row's fold (0 or 1): each side shuffled with the seed and split in halves, so both folds hold both sides.</summary>
    private static int[] Folds(int referenceCount, int currentCount, long seed)
    {
        var random = new DataSplitRandom(seed);
        var fold = new int[referenceCount + currentCount];
        foreach (var (start, count) in new[] { (0, referenceCount), (referenceCount, currentCount) })
        {
            var order = Enumerable.Range(start, count).ToArray();
            for (var i = order.Length - 1; i > 0; i--)
            {
                var j = random.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }

            for (var i = 0; i < order.Length; i++)
            {
                fold[order[i]] = i % 2;
            }
        }

        return fold;
    }

    private static DataTable Table(IReadOnlyList<float[]> reference, IReadOnlyList<float[]> current, int[] labels, int[] rows, int dimensions)
    {
        var columns = new List<DataColumn>(dimensions + 1);
        for (var d = 0; d < dimensions; d++)
        {
            var values = new double[rows.Length];
            for (var i = 0; i < rows.Length; i++)
            {
                var row = rows[i];
                values[i] = row < reference.Count ? reference[row][d] : current[row - reference.Count][d];
            }

            columns.Add(new NumericColumn($"v{d}", values, new bool[rows.Length]));
        }

        columns.Add(new CategoricalColumn("domain", [.. rows.Select(row => labels[row])], ["0", "1"]));
        return new DataTable(columns);
    }
}
