using System.Diagnostics.Metrics;

namespace MlOps.ServingService.Predictions;

/// <summary>
/// <c>mlops_predictions_total{model,version,outcome}</c> (per instance of a model that was found: ok, invalid, refused),
/// <c>mlops_prediction_duration_seconds{model}</c> (the model's scoring of a request's instances, nothing else),
/// <c>mlops_image_encoding_duration_seconds{model}</c> (decoding and encoding a request's pictures), and the
/// output distribution:
/// <c>mlops_prediction_classes_total{model,version,class}</c> or <c>mlops_prediction_value{model,version}</c>.
/// </summary>
public sealed class PredictionMetrics
{
    public const string MeterName = "MlOps.Serving.Predictions";

    private readonly Counter<long> _predictions;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _encoding;
    private readonly Counter<long> _classes;
    private readonly Histogram<double> _values;

    public PredictionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _predictions = meter.CreateCounter<long>("mlops.predictions", description: "Predicted instances, by outcome.");
        _duration = meter.CreateHistogram<double>(
            "mlops.prediction.duration",
            unit: "s",
            description: "Time the model spent scoring one request's instances (not validation, logging or the HTTP exchange).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.025] });
        _encoding = meter.CreateHistogram<double>(
            "mlops.image.encoding.duration",
            unit: "s",
            description: "Time spent decoding a request's pictures and encoding them with the image encoder.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _classes = meter.CreateCounter<long>("mlops.prediction.classes", description: "Predicted labels, by class.");
        _values = meter.CreateHistogram<double>("mlops.prediction.value", description: "Predicted values of regression models.");
    }

    public void Outcome(string model, int version, string outcome, int instances) =>
        _predictions.Add(
            instances,
            new KeyValuePair<string, object?>("model", model),
            new KeyValuePair<string, object?>("version", version),
            new KeyValuePair<string, object?>("outcome", outcome));

    public void Scored(string model, TimeSpan duration) =>
        _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("model", model));

    public void Encoded(string model, TimeSpan duration) =>
        _encoding.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("model", model));

    public void Label(string model, int version, string label) =>
        _classes.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("version", version), new KeyValuePair<string, object?>("class", label));

    public void Value(string model, int version, double value) =>
        _values.Record(value, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("version", version));
}
