using MlOps.Learning.Algorithms;

namespace MlOps.Learning.MlNet;

/// <summary>ML.NET's learners, and the platform's whole catalogue: ours and these.</summary>
public static class MlNetLearners
{
    public static IReadOnlyList<ITrainingAlgorithm> All { get; } = [new LightGbmAlgorithm(), new FastTreeAlgorithm(), new SdcaAlgorithm()];

    /// <summary>Every algorithm a job may name: what the trainer validates and lists, the bench harness and the docs read.</summary>
    public static AlgorithmCatalog Platform { get; } = new([.. AlgorithmCatalog.Learners, .. All]);
}
