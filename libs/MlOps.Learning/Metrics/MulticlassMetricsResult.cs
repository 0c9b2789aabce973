using System.Collections.Immutable;

namespace MlOps.Learning.Metrics;

/// <summary>
/// Multiclass metrics. <see cref="MacroF1"/> averages per-class F1 over the classes that occur in actual or in the
/// predictions (scikit-learn's <c>labels=None</c>); <see cref="WeightedF1"/> weights each class by its support. The
/// per-class lists have one entry for every class 0..k−1, with 0 where precision, recall or F1 is undefined.
/// </summary>
public sealed record MulticlassMetricsResult(
    double Accuracy,
    double MacroF1,
    double WeightedF1,
    double LogLoss,
    ConfusionMatrix Confusion,
    int Count,
    ImmutableArray<double> ClassPrecision,
    ImmutableArray<double> ClassRecall,
    ImmutableArray<double> ClassF1,
    ImmutableArray<long> ClassSupport);
