using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace MlOps.Learning.Metrics;

/// <summary>Multiclass metrics with scikit-learn 1.2's definitions.</summary>
public static class MulticlassMetrics
{
    /// <param name="actual">Each row's class, 0..<paramref name="classCount"/> − 1.</param>
    /// <param name="probabilities">
    /// Row-major n × k class probabilities. A row is predicted as its largest, the first of tied largest (numpy's
    /// argmax). Rows need not sum to 1: log-loss divides each clipped row by its sum, as scikit-learn does.
    /// </param>
    /// <param name="classCount">k, at least 2.</param>
    /// <exception cref="ArgumentException">The inputs are empty, disagree in size, or hold an invalid value.</exception>
    public static MulticlassMetricsResult Compute(
        ReadOnlySpan<int> actual, ReadOnlySpan<double> probabilities, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        MetricInputs.RequireRows(actual.Length, nameof(actual));
        if (probabilities.Length != (long)actual.Length * classCount)
        {
            throw new ArgumentException(
                $"probabilities has {probabilities.Length} values but {actual.Length} rows of {classCount} classes "
                + $"need {(long)actual.Length * classCount}.",
                nameof(probabilities));
        }

        MetricInputs.RequireLabels(actual, classCount);
        MetricInputs.RequireProbabilities(probabilities, nameof(probabilities), classCount);

        var n = actual.Length;
        var counts = new long[classCount * classCount];
        var loss = new NumpySum(n);
        var clipped = new double[classCount];
        for (var i = 0; i < n; i++)
        {
            var row = probabilities.Slice(i * classCount, classCount);
            counts[(actual[i] * classCount) + ArgMax(row)]++;
            loss.Add(LogLoss.MulticlassRow(row, actual[i], clipped));
        }

        var confusion = new ConfusionMatrix(classCount, counts);
        var correct = 0L;
        var precision = new double[classCount];
        var recall = new double[classCount];
        var f1 = new double[classCount];
        var support = new long[classCount];
        for (var label = 0; label < classCount; label++)
        {
            correct += confusion[label, label];
            (precision[label], recall[label], f1[label]) = ClassScores.Of(confusion, label);
            support[label] = confusion.ActualCount(label);
        }

        var (macroF1, weightedF1) = AverageF1(confusion, f1, support);
        return new MulticlassMetricsResult(
            Accuracy: (double)correct / n,
            macroF1,
            weightedF1,
            LogLoss: loss.Total / n,
            confusion,
            n,
            ImmutableCollectionsMarshal.AsImmutableArray(precision),
            ImmutableCollectionsMarshal.AsImmutableArray(recall),
            ImmutableCollectionsMarshal.AsImmutableArray(f1),
            ImmutableCollectionsMarshal.AsImmutableArray(support));
    }

    private static int ArgMax(ReadOnlySpan<double> row)
    {
        var best = 0;
        for (var j = 1; j < row.Length; j++)
        {
            if (row[j] > row[best])
            {
                best = j;
            }
        }

        return best;
    }

    /// <summary>
    /// Averages over the classes that occur in actual or predicted only, as scikit-learn does without explicit labels;
    /// a class that is neither would otherwise pull the macro average down with an F1 of 0.
    /// </summary>
    private static (double Macro, double Weighted) AverageF1(
        ConfusionMatrix confusion, ReadOnlySpan<double> f1, ReadOnlySpan<long> support)
    {
        var present = new double[f1.Length];
        var weighted = new double[f1.Length];
        var count = 0;
        var totalSupport = 0L;
        for (var label = 0; label < f1.Length; label++)
        {
            if (support[label] > 0 || confusion.PredictedCount(label) > 0)
            {
                present[count] = f1[label];
                weighted[count] = f1[label] * support[label];
                totalSupport += support[label];
                count++;
            }
        }

        return (
            NumpySum.Of(present.AsSpan(0, count)) / count,
            NumpySum.Of(weighted.AsSpan(0, count)) / totalSupport);
    }
}
