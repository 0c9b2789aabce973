using MlOps.Learning.Data;

namespace MlOps.Learning.Tests.Data;

public class CsvTypeInferenceTests
{
    [Fact]
    public void Each_column_gets_the_type_its_values_call_for()
    {
        var table = CsvTableReader.ReadFile(Fixture.PathOf("data/types.csv"));

        Assert.Equal(6, table.RowCount);
        Assert.Equal(
            [ColumnType.Numeric, ColumnType.Numeric, ColumnType.Boolean, ColumnType.Categorical, ColumnType.Text, ColumnType.Numeric],
            table.Columns.Select(c => c.Type));
        Assert.Equal([9.5, -1000, 0.25, double.NaN, 0.015, 42], ((NumericColumn)table["price"]).Values);
        var active = (BooleanColumn)table["active"];
        Assert.Equal([true, false, true, false, false, false], active.Values);
        Assert.Equal([false, false, false, false, true, false], active.Missing);
        var color = (CategoricalColumn)table["color"];
        Assert.Equal(["red", "green", "blue"], color.Categories);
        Assert.Equal([0, 1, 2, 0, 1, 0], color.Codes);
        var comment = (TextColumn)table["comment"];
        Assert.Equal("A comment, with a comma, quoted", comment.Values[4]);
        Assert.Null(comment.Values[3]);
    }

    [Fact]
    public void A_column_with_no_value_at_all_is_numeric_with_every_value_missing()
    {
        var table = CsvTableReader.ReadFile(Fixture.PathOf("data/types.csv"));

        var nothing = (NumericColumn)table["nothing"];
        Assert.All(nothing.Missing, Assert.True);
        Assert.All(nothing.Values, value => Assert.True(double.IsNaN(value)));
    }

    [Fact]
    public void Numbers_may_have_signs_decimals_exponents_and_surrounding_spaces()
    {
        var table = CsvText.Read(CsvText.Column("x", ["-3", "+4", ".5", "6.", "1e3", "2.5E-1", " 7 "]));

        Assert.Equal([-3, 4, 0.5, 6, 1000, 0.25, 7], ((NumericColumn)table["x"]).Values);
    }

    [Fact]
    public void Zero_and_one_are_numbers_unless_the_column_is_declared_boolean()
    {
        var csv = CsvText.Column("flag", ["0", "1", "1"]);

        Assert.Equal(ColumnType.Numeric, CsvText.Read(csv)["flag"].Type);
        var declared = CsvText.Read(csv, new CsvReadOptions { ColumnTypes = new Dictionary<string, ColumnType> { ["flag"] = ColumnType.Boolean } });
        Assert.Equal([false, true, true], ((BooleanColumn)declared["flag"]).Values);
    }

    [Fact]
    public void True_and_false_in_any_case_make_a_boolean_column()
    {
        var table = CsvText.Read(CsvText.Column("ok", ["TRUE", "false", "True", "False", "\"\""]));

        var ok = (BooleanColumn)table["ok"];
        Assert.Equal([true, false, true, false, false], ok.Values);
        Assert.True(ok.Missing[4]);
    }

    [Fact]
    public void Yes_and_no_stay_categorical_with_their_spelling_unless_declared_boolean()
    {
        var csv = CsvText.Column("ok", ["yes", "no", "yes"]);

        var inferred = (CategoricalColumn)CsvText.Read(csv)["ok"];
        var declared = CsvText.Read(csv, new CsvReadOptions { ColumnTypes = new Dictionary<string, ColumnType> { ["ok"] = ColumnType.Boolean } });

        Assert.Equal(["yes", "no"], inferred.Categories);
        Assert.Equal([true, false, true], ((BooleanColumn)declared["ok"]).Values);
    }

    [Fact]
    public void A_small_file_may_have_twenty_categories_but_not_twenty_one()
    {
        var twenty = Enumerable.Range(0, 20).Select(i => $"v{i}").ToArray();

        Assert.Equal(ColumnType.Categorical, CsvText.Read(CsvText.Column("c", twenty))["c"].Type);
        Assert.Equal(ColumnType.Text, CsvText.Read(CsvText.Column("c", [.. twenty, "v20"]))["c"].Type);
    }

    [Fact]
    public void A_large_file_may_have_categories_up_to_five_percent_of_its_present_values()
    {
        static string[] Values(int distinct) => Enumerable.Range(0, 1000).Select(i => $"v{i % distinct}").ToArray();

        Assert.Equal(ColumnType.Categorical, CsvText.Read(CsvText.Column("c", Values(50)))["c"].Type);
        Assert.Equal(ColumnType.Text, CsvText.Read(CsvText.Column("c", Values(51)))["c"].Type);
    }

    [Fact]
    public void A_value_of_more_than_three_words_makes_a_column_text()
    {
        var three = CsvText.Column("c", ["New York City", "Paris", "Paris"]);
        var four = CsvText.Column("c", ["New York City Hall", "Paris", "Paris"]);

        Assert.Equal(ColumnType.Categorical, CsvText.Read(three)["c"].Type);
        Assert.Equal(ColumnType.Text, CsvText.Read(four)["c"].Type);
        var lenient = new CsvReadOptions { Inference = new TypeInferenceOptions { CategoricalMaxWords = 4 } };
        Assert.Equal(ColumnType.Categorical, CsvText.Read(four, lenient)["c"].Type);
    }

    [Fact]
    public void A_column_of_numbers_that_ends_with_a_word_keeps_every_value_as_written()
    {
        var table = CsvText.Read(CsvText.Column("zip", ["01234", "1.50", "2", "NA", "1e3", "2", "A1"]));

        var zip = (CategoricalColumn)table["zip"];
        Assert.Equal(["01234", "1.50", "2", "1e3", "A1"], zip.Categories);
        Assert.Equal([0, 1, 2, CategoricalColumn.MissingCode, 3, 2, 4], zip.Codes);
    }

    [Fact]
    public void Declared_types_replace_the_inferred_ones()
    {
        var types = new Dictionary<string, ColumnType>
        {
            ["id"] = ColumnType.Categorical,
            ["color"] = ColumnType.Text,
            ["comment"] = ColumnType.Categorical,
        };

        var table = CsvTableReader.ReadFile(Fixture.PathOf("data/types.csv"), new CsvReadOptions { ColumnTypes = types });

        Assert.Equal(["1", "2", "3", "4", "5", "6"], ((CategoricalColumn)table["id"]).Categories);
        Assert.Equal("green", ((TextColumn)table["color"]).Values[1]);
        Assert.Equal(ColumnType.Categorical, table["comment"].Type);
        Assert.Equal(ColumnType.Numeric, table["price"].Type);
    }

    [Fact]
    public void A_word_in_a_column_declared_numeric_is_reported_with_its_column_line_and_value()
    {
        var options = new CsvReadOptions { ColumnTypes = new Dictionary<string, ColumnType> { ["age"] = ColumnType.Numeric } };

        var message = CsvText.ReadError("name,age\nann,31\nbob,40\ncid,forty\n", options);

        Assert.Equal("Column 'age' is declared Numeric but line 4 has 'forty', which is not a number.", message);
    }

    [Fact]
    public void A_value_that_is_not_a_boolean_in_a_column_declared_boolean_is_reported_with_its_line()
    {
        var options = new CsvReadOptions { ColumnTypes = new Dictionary<string, ColumnType> { ["ok"] = ColumnType.Boolean } };

        var message = CsvText.ReadError("ok\nyes\nmaybe\n", options);

        Assert.Contains("Column 'ok' is declared Boolean but line 3 has 'maybe'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Declaring_a_type_for_a_column_the_file_does_not_have_is_an_error()
    {
        var options = new CsvReadOptions { ColumnTypes = new Dictionary<string, ColumnType> { ["agee"] = ColumnType.Numeric } };

        var message = CsvText.ReadError("name,age\nann,31\n", options);

        Assert.Equal("ColumnTypes names column 'agee', which the header does not have. The columns are: 'name', 'age'.", message);
    }
}
