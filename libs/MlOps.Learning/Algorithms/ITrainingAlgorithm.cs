using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Learning.Algorithms;

/// <summary>
/// A learner a job can name. Adding one is one class and one line in <see cref="AlgorithmCatalog.Standard"/>: a name,
/// the tasks it handles, its hyperparameters and how to train; the trainer's validation, <c>GET /api/training/algorithms</c>,
/// the bench harness and the docs' table all read it from there.
/// </summary>
public interface ITrainingAlgorithm
{
    string Name { get; }

    IReadOnlyList<LearningTask> Tasks { get; }

    IReadOnlyList<Hyperparameter> Hyperparameters { get; }

    /// <summary>Trains; reports iterations to <paramref name="onIteration"/> and stops at the next one once cancelled.</summary>
    Model Train(TrainingInput input, Action<TrainingIteration> onIteration, CancellationToken cancellationToken);
}
