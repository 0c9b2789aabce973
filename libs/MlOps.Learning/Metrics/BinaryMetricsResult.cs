namespace MlOps.Learning.Metrics;

/// <summary>
/// Binary classification metrics. Precision, recall and F1 are for class 1 and are 0 where undefined; log-loss is in
/// nats per row.
/// </summary>
public sealed record BinaryMetricsResult(
    double Accuracy,
    double Precision,
    double Recall,
    double F1,
    double RocAuc,
    double LogLoss,
    ConfusionMatrix Confusion,
    int Count);
