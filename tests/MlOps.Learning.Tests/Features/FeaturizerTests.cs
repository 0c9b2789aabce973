using MlOps.Learning.Data;
using MlOps.Learning.Features;

namespace MlOps.Learning.Tests.Features;

public sealed class FeaturizerTests
{
    [Fact]
    public void Numbers_are_imputed_then_standardized_with_the_population_deviation()
    {
        var table = new DataTable([new NumericColumn("x", [1, 2, double.NaN, 5], [false, false, true, false])]);

        var numeric = Assert.IsType<NumericFeaturizer>(Assert.Single(Featurizer.Fit(table).Columns));

        // Imputed with the mean of 1, 2 and 5; the imputed column is 1, 2, 8/3, 5.
        Assert.Equal(8.0 / 3, numeric.ImputedValue, 12);
        Assert.Equal(8.0 / 3, numeric.Center, 12);
        var expectedDeviation = Math.Sqrt((Math.Pow(1 - (8.0 / 3), 2) + Math.Pow(2 - (8.0 / 3), 2) + Math.Pow(5 - (8.0 / 3), 2)) / 4);
        Assert.Equal(expectedDeviation, numeric.Scale, 12);
    }

    [Fact]
    public void Median_imputation_and_a_constant_column_keep_scale_one()
    {
        var table = new DataTable([new NumericColumn("x", [3, 3, double.NaN, 3, 3], [false, false, true, false, false])]);

        var numeric = (NumericFeaturizer)Featurizer.Fit(table, new FeaturizerOptions { Impute = ImputeStrategy.Median }).Columns[0];

        Assert.Equal(3, numeric.ImputedValue);
        Assert.Equal(1, numeric.Scale);
    }

    [Fact]
    public void Categories_keep_the_most_frequent_values_and_send_rare_unseen_and_missing_ones_to_other()
    {
        var table = new DataTable([new CategoricalColumn("color", [0, 1, 1, 2, 2, 2, -1], ["red", "green", "blue"])]);
        var featurizer = Featurizer.Fit(table, new FeaturizerOptions { MaxCategories = 2 });
        var categorical = Assert.IsType<CategoricalFeaturizer>(featurizer.Columns[0]);

        Assert.Equal(["blue", "green"], categorical.Categories);
        Assert.Equal(3, categorical.Width);
        Assert.Equal(0, SlotOf(featurizer, "blue"));
        Assert.Equal(1, SlotOf(featurizer, "green"));
        Assert.Equal(2, SlotOf(featurizer, "red"));
        Assert.Equal(2, SlotOf(featurizer, "purple"));
        Assert.Equal(2, SlotOf(featurizer, null));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Feature_columns_hold_what_the_row_major_matrix_holds(bool standardize)
    {
        var table = new DataTable(
        [
            new NumericColumn("x", [1, 2, double.NaN, 5, 7], [false, false, true, false, false]),
            new BooleanColumn("b", [true, false, false, true, true], [false, false, false, true, false]),
            new CategoricalColumn("c", [0, 1, 1, -1, 0], ["a", "b"]),
        ]);
        var featurizer = Featurizer.Fit(table, new FeaturizerOptions
        {
            CategoricalCodes = true,
            Impute = standardize ? ImputeStrategy.Mean : ImputeStrategy.None,
            Standardize = standardize,
        });

        var columns = featurizer.TransformColumns(table);
        var matrix = Assert.IsType<DenseFeatureMatrix>(featurizer.Transform(table));

        Assert.Equal(featurizer.Width, columns.Length);
        for (var row = 0; row < table.RowCount; row++)
        {
            for (var feature = 0; feature < featurizer.Width; feature++)
            {
                Assert.Equal(matrix.Row(row)[feature], columns[feature][row]);
            }
        }

        Assert.Equal(standardize, !double.IsNaN(columns[0][2]));
    }

    [Fact]
    public void Columns_occupy_consecutive_ranges_and_text_makes_the_matrix_sparse()
    {
        var table = new DataTable(
        [
            new NumericColumn("x", [1, 2], [false, false]),
            new CategoricalColumn("c", [0, 1], ["a", "b"]),
            new TextColumn("t", ["hello world", "bye"]),
        ]);

        var featurizer = Featurizer.Fit(table, new FeaturizerOptions { TextHashBits = 8 });

        Assert.Equal([0, 1, 4], featurizer.Columns.Select(c => c.Offset));
        Assert.Equal(1 + 3 + 256, featurizer.Width);
        Assert.True(featurizer.IsSparse);
        Assert.IsType<SparseFeatureMatrix>(featurizer.Transform(table));
        Assert.IsType<DenseFeatureMatrix>(Featurizer.Fit(table.Without("t")).Transform(table.Without("t")));
    }

    private static int SlotOf(Featurizer featurizer, string? value)
    {
        Span<int> indices = stackalloc int[4];
        Span<double> values = stackalloc double[4];
        var count = featurizer.Write([FeatureValue.FromText(value)], indices, values);
        Assert.Equal(1, count);
        Assert.Equal(1.0, values[0]);
        return indices[0];
    }
}
