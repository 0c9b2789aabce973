using System.Text;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Learning.Tests.Models;

public sealed class ModelFileTests
{
    public static TheoryData<string> Fixtures() => ["binary", "multiclass", "regression", "text"];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_model_read_back_from_its_file_scores_every_row_identically(string fixture)
    {
        var (table, model) = Train(fixture);

        var loaded = ModelFile.Load(new MemoryStream(Save(model)));

        Assert.Equal(model.Algorithm, loaded.Algorithm);
        Assert.Equal(model.Task, loaded.Task);
        Assert.Equal(model.Classes, loaded.Classes);
        Assert.Equal(model.Inputs, loaded.Inputs);
        Assert.Equal(model.Metadata.Parameters, loaded.Metadata.Parameters);
        var before = model.Score(table);
        var after = loaded.Score(table);
        for (var row = 0; row < table.RowCount; row++)
        {
            Assert.Equal(before[row].Label, after[row].Label);
            Assert.Equal(before[row].Value, after[row].Value);
            Assert.Equal(before[row].Probabilities, after[row].Probabilities);
        }

        Assert.Equal(Save(model), Save(loaded));
    }

    [Fact]
    public void The_same_data_parameters_and_seed_give_a_byte_identical_file()
    {
        var first = Save(Train("multiclass").Model);
        var second = Save(Train("multiclass").Model);

        Assert.Equal(first, second);
    }

    [Fact]
    public void The_file_records_how_the_model_was_trained()
    {
        var model = Train("binary").Model;

        var json = Encoding.UTF8.GetString(Save(model));

        Assert.StartsWith("{\"format\":\"mlops-model\",\"formatVersion\":1,", json, StringComparison.Ordinal);
        Assert.Equal("2.5", model.Metadata.Parameters["l2"]);
        Assert.Equal(7, model.Metadata.Seed);
        Assert.Equal("abc123", model.Metadata.DataSha256);
        Assert.Equal(600, model.Metadata.TrainingRows);
        Assert.Equal(ModelFile.LibraryVersion, model.Metadata.LibraryVersion);
    }

    [Fact]
    public void A_file_of_a_newer_format_version_is_refused_with_a_clear_message()
    {
        var json = Encoding.UTF8.GetString(Save(Train("regression").Model))
            .Replace("\"formatVersion\":1,", "\"formatVersion\":7,", StringComparison.Ordinal);

        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));

        Assert.Contains("format version 7", error.Message, StringComparison.Ordinal);
        Assert.Contains("reads versions up to 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all", "not a model file")]
    [InlineData("{\"hello\":1}", "not a model file")]
    [InlineData("{\"format\":\"mlops-model\",\"formatVersion\":1}", "damaged")]
    public void Anything_else_is_refused_with_a_clear_message(string content, string expected)
    {
        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(new MemoryStream(Encoding.UTF8.GetBytes(content))));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    internal static (DataTable Table, Model Model) Train(string fixture)
    {
        var options = new LinearTrainingOptions { L2 = 2.5, Seed = 7, DataSha256 = "abc123" };
        if (fixture == "text")
        {
            var table = new DataTable(
            [
                new TextColumn("review", ["great fruit and oak", "awful sour taste", "lovely fruit", "sour and flat", null, "flat awful"]),
                new NumericColumn("price", [12, 8, 15, 7, 9, double.NaN], [false, false, false, false, false, true]),
                new CategoricalColumn("sentiment", [0, 1, 0, 1, 0, 1], ["good", "bad"]),
            ]);
            return (table, LinearTrainer.Train(table, "sentiment", options: options with { L2 = 0.1, Featurizer = new FeaturizerOptions { TextHashBits = 10 } }));
        }

        var csv = CsvTableReader.ReadFile(Fixture.PathOf($"linear/{fixture}.csv"));
        var target = Fixture.Json($"linear/{fixture}.json").GetProperty("target").GetString()!;
        return (csv, LinearTrainer.Train(csv, target, options: options));
    }

    private static byte[] Save(Model model)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        return stream.ToArray();
    }
}
