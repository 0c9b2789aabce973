using MlOps.Learning.Data;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.TrainerService.Algorithms;

/// <summary>What a learner needs from a job: the training rows, the target and task, its settings and a seed.</summary>
public sealed record TrainingInput(
    DataTable Rows,
    string Target,
    LearningTask Task,
    HyperparameterValues Hyperparameters,
    int Seed,
    string DatasetSha256);

/// <summary>
/// A learner the trainer can run. Adding one (the tree learners of the learning library's part 2) is a registration in
/// <see cref="AlgorithmCatalog"/>: a name, the tasks it handles, its hyperparameters and how to train.
/// </summary>
public interface ITrainingAlgorithm
{
    string Name { get; }

    IReadOnlyList<LearningTask> Tasks { get; }

    IReadOnlyList<Hyperparameter> Hyperparameters { get; }

    /// <summary>Trains; reports iterations to <paramref name="onIteration"/> and stops at the next one once cancelled.</summary>
    Model Train(TrainingInput input, Action<TrainingIteration> onIteration, CancellationToken cancellationToken);
}
