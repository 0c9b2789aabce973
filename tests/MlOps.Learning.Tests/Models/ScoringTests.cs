using System.Text.Json;
using MlOps.Learning.Features;
using MlOps.Learning.Models;

namespace MlOps.Learning.Tests.Models;

public sealed class ScoringTests
{
    [Fact]
    public void Scoring_by_name_typed_values_or_a_table_gives_the_same_prediction()
    {
        var (table, model) = ModelFileTests.Train("binary");
        var byTable = model.Score(table)[3];
        var values = new Dictionary<string, object?>();
        var typed = new FeatureValue[model.Inputs.Count];
        for (var i = 0; i < model.Inputs.Count; i++)
        {
            var column = table[model.Inputs[i].Name];
            typed[i] = ColumnFeaturizer.ValueAt(column, 3);
            values[model.Inputs[i].Name] = typed[i].Text ?? (object)typed[i].Number;
        }

        var byName = model.Score(values);
        var byTyped = model.Score(typed);

        Assert.Equal(byTable.Probabilities, byName.Probabilities);
        Assert.Equal(byTable.Probabilities, byTyped.Probabilities);
        Assert.Equal(byTable.Label, byName.Label);
        Assert.Equal(1.0, byName.Probabilities!.Sum(), 12);
    }

    [Fact]
    public void A_batch_of_rows_scores_each_row_as_the_table_does_in_order()
    {
        var (table, model) = ModelFileTests.Train("multiclass");
        var rows = new List<FeatureValue[]>();
        for (var row = 0; row < 40; row++)
        {
            rows.Add([.. model.Inputs.Select(input => ColumnFeaturizer.ValueAt(table[input.Name], row))]);
        }

        var batch = model.Score(rows);
        var byTable = model.Score(table);

        Assert.Equal(rows.Count, batch.Length);
        for (var row = 0; row < rows.Count; row++)
        {
            Assert.Equal(byTable[row].Label, batch[row].Label);
            Assert.Equal(byTable[row].Probabilities!, batch[row].Probabilities!, (a, b) => Math.Abs(a - b) < 1e-12);
        }

        Assert.Empty(model.Score(Array.Empty<FeatureValue[]>()));
    }

    [Fact]
    public void Json_values_missing_inputs_and_unseen_categories_are_scored()
    {
        var (_, model) = ModelFileTests.Train("binary");
        using var document = JsonDocument.Parse("""{"x1": 0.5, "x2": "48.5", "x3": null, "color": "ultraviolet"}""");
        var values = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);

        var prediction = model.Score(values);

        Assert.Contains(prediction.Label, model.Classes);
        Assert.Equal(2, prediction.Probabilities!.Length);
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_the_input()
    {
        var (_, model) = ModelFileTests.Train("regression");

        var error = Assert.Throws<ArgumentException>(() => model.Score(new Dictionary<string, object?> { ["x1"] = "lots" }));

        Assert.Equal("Input 'x1' expects a number; got the text 'lots'.", error.Message);
    }

    [Theory]
    [InlineData("binary", 128)]
    [InlineData("multiclass", 144)]
    [InlineData("regression", 64)]
    [InlineData("text", 128)]
    public void Scoring_a_row_allocates_nothing_beyond_its_result(string fixture, int maxBytesPerRow)
    {
        var (table, model) = ModelFileTests.Train(fixture);
        var row = new FeatureValue[model.Inputs.Count];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = ColumnFeaturizer.ValueAt(table[model.Inputs[i].Name], 0);
        }

        for (var i = 0; i < 100; i++)
        {
            model.Score(row);
        }

        const int rows = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < rows; i++)
        {
            model.Score(row);
        }

        var perRow = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)rows;
        Assert.True(perRow <= maxBytesPerRow, $"{perRow} bytes per row");
    }
}
