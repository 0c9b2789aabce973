using System.Globalization;
using MlOps.Learning.Data;

namespace MlOps.Learning.Training;

/// <summary>
/// The training target as the learners see it: class codes into <see cref="Classes"/> (sorted, as scikit-learn's
/// <c>classes_</c>: numerically for numbers, ordinally for text) or numeric values. Rows whose target is missing are
/// left out, and <see cref="Rows"/> says which rows remain.
/// </summary>
internal sealed record TargetEncoding(LearningTask Task, int[] Rows, int[] Codes, double[] Values, string[] Classes)
{
    /// <summary>
    /// The target's encoding and the input columns of the rows that have a target: what every learner starts from.
    /// </summary>
    public static (TargetEncoding Encoding, DataTable Inputs) Prepare(DataTable table, string target, LearningTask? requested)
    {
        var encoding = For(table[target], requested);
        var rows = encoding.Rows.Length == table.RowCount ? table : table.Take(encoding.Rows);
        var inputs = rows.Without(target);
        if (inputs.Columns.Count == 0)
        {
            throw new DataException($"The table has no column besides the target '{target}' to learn from.");
        }

        return (encoding, inputs);
    }

    public static TargetEncoding For(DataColumn target, LearningTask? requested)
    {
        var rows = Enumerable.Range(0, target.Length).Where(row => !target.IsMissing(row)).ToArray();
        if (rows.Length == 0)
        {
            throw new DataException($"The target '{target.Name}' has no values: every row is missing it.");
        }

        if (requested == LearningTask.Regression || (requested is null && target.Type == ColumnType.Numeric))
        {
            return ForRegression(target, rows);
        }

        return ForClassification(target, rows, requested);
    }

    private static TargetEncoding ForRegression(DataColumn target, int[] rows)
    {
        if (target is not NumericColumn numeric)
        {
            throw new DataException(
                $"The target '{target.Name}' holds {Describe(target.Type)}; regression needs a numeric target.");
        }

        var values = new double[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = numeric.Values[rows[i]];
        }

        return new TargetEncoding(LearningTask.Regression, rows, [], values, []);
    }

    private static TargetEncoding ForClassification(DataColumn target, int[] rows, LearningTask? requested)
    {
        var labels = new string[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            labels[i] = LabelAt(target, rows[i]);
        }

        var classes = labels.Distinct(StringComparer.Ordinal).ToArray();
        if (target is NumericColumn)
        {
            Array.Sort(classes, (a, b) => double.Parse(a, CultureInfo.InvariantCulture).CompareTo(double.Parse(b, CultureInfo.InvariantCulture)));
        }
        else
        {
            Array.Sort(classes, StringComparer.Ordinal);
        }

        if (classes.Length < 2)
        {
            throw new DataException(
                $"The target '{target.Name}' has a single class ('{classes[0]}'); classification needs at least two.");
        }

        if (requested == LearningTask.BinaryClassification && classes.Length > 2)
        {
            throw new DataException(
                $"The target '{target.Name}' has {classes.Length} classes; binary classification needs exactly two.");
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < classes.Length; i++)
        {
            index[classes[i]] = i;
        }

        var codes = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            codes[i] = index[labels[i]];
        }

        var task = classes.Length == 2 && requested != LearningTask.MulticlassClassification
            ? LearningTask.BinaryClassification
            : LearningTask.MulticlassClassification;
        return new TargetEncoding(task, rows, codes, [], classes);
    }

    internal static string LabelAt(DataColumn column, int row) => column switch
    {
        NumericColumn numeric => numeric.Values[row].ToString("R", CultureInfo.InvariantCulture),
        BooleanColumn boolean => boolean.Values[row] ? "true" : "false",
        CategoricalColumn categorical => categorical.ValueAt(row)!,
        TextColumn text => text.Values[row]!,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.GetType().Name, "Unknown column kind."),
    };

    private static string Describe(ColumnType type) => type switch
    {
        ColumnType.Text => "text",
        ColumnType.Categorical => "text values (categorical)",
        ColumnType.Boolean => "true/false values",
        _ => type.ToString().ToLowerInvariant(),
    };
}
