using MlOps.Learning.Algorithms;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Learning.Tests.Features;

public sealed class ImageFeaturizerTests
{
    private const int Dimensions = 16;

    private static readonly ImageEncoding Encoding = new("test-encoder", new string('a', 64), Dimensions);

    /// <summary>
    /// Rows of three classes whose pictures' vectors lean towards the class's own dimensions, with a short text that
    /// names the class half of the time; every fifth picture is missing.
    /// </summary>
    private static DataTable Pictures(int rows, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * Dimensions];
        var missing = new bool[rows];
        var text = new string?[rows];
        var labels = new int[rows];
        for (var row = 0; row < rows; row++)
        {
            var label = random.Next(3);
            labels[row] = label;
            missing[row] = row % 5 == 4;
            for (var d = 0; d < Dimensions; d++)
            {
                values[(row * Dimensions) + d] = missing[row] ? 0 : (float)(random.NextDouble() + (d % 3 == label ? 0.8 : 0));
            }

            text[row] = random.Next(2) == 0 ? $"a thing of kind {label}" : "a thing";
        }

        return new DataTable(
        [
            new EmbeddingColumn("photo", Encoding, values, missing),
            new TextColumn("title", text),
            new CategoricalColumn("kind", labels, ["k0", "k1", "k2"]),
        ]);
    }

    [Fact]
    public void Each_dimension_is_standardized_and_the_block_divided_by_the_root_of_its_width()
    {
        var table = Pictures(500, 1);
        var featurizer = Featurizer.Fit(new DataTable([table["photo"]]));

        var matrix = (DenseFeatureMatrix)featurizer.Transform(new DataTable([table["photo"]]));
        var image = Assert.IsType<ImageFeaturizer>(Assert.Single(featurizer.Columns));
        var present = Enumerable.Range(0, 500).Where(row => row % 5 != 4).ToArray();
        for (var d = 0; d < Dimensions; d++)
        {
            var column = present.Select(row => matrix.Values[(row * Dimensions) + d]).ToArray();
            Assert.Equal(0, column.Average(), 9);
            Assert.Equal(1.0 / Dimensions, column.Select(v => v * v).Average(), 9);
        }

        Assert.All(Enumerable.Range(0, Dimensions), d => Assert.Equal(0, matrix.Values[(4 * Dimensions) + d]));
        Assert.Equal(Encoding, image.Encoding);
        Assert.False(image.MissingAsNaN);
    }

    [Fact]
    public void For_trees_a_missing_picture_is_missing_in_every_feature()
    {
        var photo = Pictures(50, 2)["photo"];
        var featurizer = Featurizer.Fit(new DataTable([photo]), new FeaturizerOptions { Impute = ImputeStrategy.None });

        var columns = featurizer.TransformColumns(new DataTable([photo]));

        Assert.All(columns, column => Assert.True(double.IsNaN(column[4])));
        Assert.All(columns, column => Assert.False(double.IsNaN(column[0])));
    }

    [Theory]
    [InlineData("logistic-regression")]
    [InlineData("gbdt")]
    public void A_model_learns_from_pictures_beside_text_and_scores_the_same_after_a_file_round_trip(string algorithm)
    {
        var learner = AlgorithmCatalog.Standard.Get(algorithm);
        var (values, errors) = AlgorithmCatalog.ReadText(learner, algorithm == "gbdt" ? ["rounds=30"] : []);
        Assert.Empty(errors);
        var train = Pictures(600, 3);
        var test = Pictures(300, 4);

        var model = learner.Train(new TrainingInput(train, "kind", LearningTask.MulticlassClassification, new HyperparameterValues(values), 1, ""), _ => { }, CancellationToken.None);
        using var file = new MemoryStream();
        ModelFile.Save(model, file);
        file.Position = 0;
        var loaded = ModelFile.Load(file);

        Assert.Equal([new InputColumn("photo", ColumnType.Image), new InputColumn("title", ColumnType.Text)], model.Inputs);
        Assert.Equal(Encoding, Assert.Single(loaded.Featurizer.Columns.OfType<ImageFeaturizer>()).Encoding);
        var accuracy = Evaluation.ModelEvaluator.Evaluate(model, test).Metrics["accuracy"];
        Assert.InRange(accuracy, 0.8, 1.0);
        var photo = (EmbeddingColumn)test["photo"];
        var title = (TextColumn)test["title"];
        for (var row = 0; row < 20; row++)
        {
            FeatureValue[] inputs = [photo.Missing[row] ? FeatureValue.Missing : FeatureValue.FromVector(photo.VectorAt(row).ToArray()), FeatureValue.FromText(title.Values[row])];
            Assert.Equal(model.Score(inputs).Probabilities, loaded.Score(inputs).Probabilities);
        }
    }

    [Fact]
    public void A_vector_of_the_wrong_length_is_refused_naming_the_column()
    {
        var featurizer = Featurizer.Fit(new DataTable([Pictures(20, 5)["photo"]]));

        var error = Assert.Throws<ArgumentException>(() => featurizer.Write([FeatureValue.FromVector(new float[3])], new int[Dimensions], new double[Dimensions]));

        Assert.StartsWith("Column 'photo' takes vectors of 16 values from test-encoder; got 3.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pictures_not_encoded_yet_cannot_be_featurized()
    {
        var error = Assert.Throws<ArgumentException>(() => Featurizer.Fit(new DataTable([new ImageColumn("photo", ["a.png"])])));

        Assert.StartsWith("Column 'photo' holds pictures that are not encoded yet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Taking_rows_keeps_their_vectors_and_missing_marks()
    {
        var photo = (EmbeddingColumn)Pictures(10, 6)["photo"];

        var taken = (EmbeddingColumn)photo.Take([4, 1]);

        Assert.Equal([true, false], taken.Missing);
        Assert.Equal(photo.VectorAt(1).ToArray(), taken.VectorAt(1).ToArray());
        Assert.Equal(Encoding, taken.Encoding);
    }
}
