using MlOps.Learning.Data;
using MlOps.Learning.Features;

namespace MlOps.Learning.Models;

/// <summary>
/// Scores a table through a model's batch scoring (<see cref="IScoringModel.Score(IReadOnlyList{FeatureValue[]})"/>),
/// a run of rows at a time, the runs shared across the cores: for models whose one call has a fixed cost worth sharing
/// (an ONNX Runtime run, an ML.NET transform) and that are safe to call from several threads.
/// </summary>
public static class RunScoring
{
    public static Prediction[] Score(IScoringModel model, DataTable table, int runRows)
    {
        var sources = model.Inputs.Select(input => table[input.Name]).ToArray();
        var predictions = new Prediction[table.RowCount];
        var runs = (table.RowCount + runRows - 1) / runRows;
        Parallel.For(0, runs, run =>
        {
            var first = run * runRows;
            var count = Math.Min(runRows, table.RowCount - first);
            var rows = new FeatureValue[count][];
            for (var row = 0; row < count; row++)
            {
                var values = new FeatureValue[sources.Length];
                for (var c = 0; c < sources.Length; c++)
                {
                    values[c] = ColumnFeaturizer.ValueAt(sources[c], first + row);
                }

                rows[row] = values;
            }

            model.Score(rows).CopyTo(predictions, first);
        });

        return predictions;
    }
}
