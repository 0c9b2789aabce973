using System.Text.Json;
using MlOps.Contracts.Training;

namespace MlOps.TrainerService.Jobs;

/// <summary>
/// A running attempt's progress, written by the learner's thread and read by the heartbeat: the phase, the latest
/// iteration, and metric samples not yet stored. Also carries why the work was stopped, when it was.
/// </summary>
public sealed class JobProgressTracker(TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Lock _gate = new();
    private List<MetricSample> _samples = [];
    private string _phase = "loading";
    private int _iteration;
    private double? _trainingLoss;
    private double? _validation;
    private int? _validationIteration;
    private readonly HashSet<int> _validatedSteps = [];
    private bool _changed = true;
    private volatile bool _leaseLost;
    private volatile bool _cancelRequested;

    public bool LeaseLost
    {
        get => _leaseLost;
        set => _leaseLost = value;
    }

    public bool CancelRequested
    {
        get => _cancelRequested;
        set => _cancelRequested = value;
    }

    public void Phase(string phase)
    {
        lock (_gate)
        {
            _phase = phase;
            _changed = true;
        }
    }

    public void Iteration(int iteration, double trainingLoss)
    {
        lock (_gate)
        {
            _iteration = iteration;
            _trainingLoss = trainingLoss;
            _samples.Add(new MetricSample("trainingLoss", iteration, trainingLoss, time.GetUtcNow()));
            _changed = true;
        }
    }

    /// <summary>
    /// A validation score. A step is stored once: the final model's score repeats the last round's (or, after early
    /// stopping, the best round's), which may already be stored, and a second row for a step would fail the batch.
    /// </summary>
    public void Validation(int iteration, string metric, double value)
    {
        lock (_gate)
        {
            _validation = value;
            _validationIteration = iteration;
            _changed = true;
            if (!_validatedSteps.Add(iteration))
            {
                return;
            }

            _samples.Add(new MetricSample($"validation.{metric}", iteration, value, time.GetUtcNow()));
        }
    }

    /// <summary>The progress document when it changed since the last take (else null), and the samples to store.</summary>
    public (string? ProgressJson, List<MetricSample> Samples) Take()
    {
        lock (_gate)
        {
            var samples = _samples;
            _samples = [];
            string? json = null;
            if (_changed)
            {
                json = JsonSerializer.Serialize(
                    new JobProgress(_phase, _iteration, _trainingLoss, _validation, _validationIteration, time.GetUtcNow()), Json);
                _changed = false;
            }

            return (json, samples);
        }
    }

    /// <summary>Puts back what a failed renewal did not store, ahead of anything newer.</summary>
    public void Restore(string? progressJson, List<MetricSample> samples)
    {
        lock (_gate)
        {
            samples.AddRange(_samples);
            _samples = samples;
            _changed |= progressJson is not null;
        }
    }
}
