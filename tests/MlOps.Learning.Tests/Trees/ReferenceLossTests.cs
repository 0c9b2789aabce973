using MlOps.Learning.Data;
using MlOps.Learning.Training;

namespace MlOps.Learning.Tests.Trees;

/// <summary>
/// Boosting against XGBoost's own computation (Fixtures/trees/make_tree_fixtures.py): on tables whose features have no
/// more distinct values than bins, both libraries try the same splits with the same second-order gain, so after every
/// round the training loss must be XGBoost's.
/// </summary>
public sealed class ReferenceLossTests
{
    [Theory]
    [InlineData("binary")]
    [InlineData("regression")]
    public void The_training_loss_after_every_round_is_xgboosts(string fixture)
    {
        var table = CsvTableReader.ReadFile(Fixture.PathOf($"trees/{fixture}.csv"));
        var expected = Fixture.Json($"trees/{fixture}.json");
        var settings = expected.GetProperty("settings");
        var reference = expected.GetProperty("trainingLoss").EnumerateArray().Select(loss => loss.GetDouble()).ToArray();
        var losses = new List<double>();

        TreeTrainer.Train(
            TreeTrainer.GradientBoostedTrees,
            table,
            expected.GetProperty("target").GetString()!,
            fixture == "binary" ? LearningTask.BinaryClassification : LearningTask.Regression,
            new TreeTrainingOptions
            {
                Rounds = settings.GetProperty("rounds").GetInt32(),
                NumLeaves = settings.GetProperty("numLeaves").GetInt32(),
                LearningRate = settings.GetProperty("learningRate").GetDouble(),
                L2 = settings.GetProperty("l2").GetDouble(),
                MinChildWeight = settings.GetProperty("minChildWeight").GetDouble(),
                MinChildSamples = 1,
                MaxBins = settings.GetProperty("maxBins").GetInt32(),
            },
            onIteration: iteration => losses.Add(iteration.Objective));

        Assert.Equal(reference.Length, losses.Count);
        for (var round = 0; round < reference.Length; round++)
        {
            Assert.True(
                Math.Abs(losses[round] - reference[round]) <= 1e-6 * reference[round],
                $"round {round + 1}: ours {losses[round]}, XGBoost {reference[round]}");
        }

        Assert.True(losses[^1] < 0.8 * losses[0], $"{losses[0]} → {losses[^1]}");
    }
}
