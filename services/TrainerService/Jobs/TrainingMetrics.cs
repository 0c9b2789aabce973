using System.Diagnostics.Metrics;

namespace MlOps.TrainerService.Jobs;

/// <summary>
/// The trainer's instruments: <c>mlops_training_jobs_total{status}</c> (attempts ended, by how),
/// <c>mlops_training_job_duration_seconds{status}</c>, and <c>mlops_training_queue_length</c> (queued jobs, as the
/// workers last saw it).
/// </summary>
public sealed class TrainingMetrics
{
    public const string MeterName = "MlOps.Trainer";

    private readonly Counter<long> _ended;
    private readonly Histogram<double> _duration;
    private long _queued;

    public TrainingMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _ended = meter.CreateCounter<long>("mlops.training.jobs", description: "Training attempts ended, by outcome.");
        _duration = meter.CreateHistogram<double>(
            "mlops.training.job.duration",
            unit: "s",
            description: "Wall time of training attempts, by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] });
        meter.CreateObservableGauge("mlops.training.queue.length", () => Interlocked.Read(ref _queued), description: "Training jobs waiting for a worker.");
    }

    public void Ended(string status, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("status", status);
        _ended.Add(1, tag);
        _duration.Record(duration.TotalSeconds, tag);
    }

    public void Queued(long count) => Interlocked.Exchange(ref _queued, count);
}
