using MlOps.Learning.Models;

namespace MlOps.Learning.Training;

/// <summary>
/// What an iterative learner reports after each iteration: its number, the training objective, and a way to take the
/// model as it stands. <see cref="Snapshot"/> copies the parameters and builds a whole model, so an observer calls it
/// sparingly (to score a validation set now and then), never on every iteration.
/// </summary>
public sealed class TrainingIteration(int iteration, double objective, Func<Model> snapshot)
{
    public int Iteration { get; } = iteration;

    /// <summary>The learner's objective: (the mean training loss plus the regularization penalty, per training row).</summary>
    public double Objective { get; } = objective;

    public Model Snapshot() => snapshot();
}
