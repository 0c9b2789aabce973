using MlOps.Learning.Data;
using MlOps.Learning.Training;

namespace MlOps.Learning.Algorithms;

/// <summary>
/// What a learner needs from a job: the training rows, the target and task, its settings and a seed; and the threads
/// a tree learner may use (null: every core; the bench harness sets it to compare with peers on equal terms).
/// </summary>
public sealed record TrainingInput(
    DataTable Rows,
    string Target,
    LearningTask Task,
    HyperparameterValues Hyperparameters,
    int Seed,
    string DatasetSha256,
    int? Threads = null);
