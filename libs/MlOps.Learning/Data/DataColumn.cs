namespace MlOps.Learning.Data;

/// <summary>One typed column of a <see cref="DataTable"/>: contiguous values plus, where values can be absent, a mask.</summary>
public abstract class DataColumn(string name)
{
    public string Name { get; } = name;

    public abstract ColumnType Type { get; }

    public abstract int Length { get; }

    public abstract bool IsMissing(int row);

    public int MissingCount()
    {
        var count = 0;
        for (var row = 0; row < Length; row++)
        {
            if (IsMissing(row))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The rows at <paramref name="rows"/>, in that order, as a new column of the same type.</summary>
    public abstract DataColumn Take(ReadOnlySpan<int> rows);
}

/// <summary>Numbers; a missing value is <see cref="double.NaN"/> in <see cref="Values"/> and set in <see cref="Missing"/>.</summary>
public sealed class NumericColumn(string name, double[] values, bool[] missing) : DataColumn(name)
{
    public double[] Values { get; } = values;

    public bool[] Missing { get; } = missing;

    public override ColumnType Type => ColumnType.Numeric;

    public override int Length => Values.Length;

    public override bool IsMissing(int row) => Missing[row];

    public override DataColumn Take(ReadOnlySpan<int> rows)
    {
        var values = new double[rows.Length];
        var missing = new bool[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = Values[rows[i]];
            missing[i] = Missing[rows[i]];
        }

        return new NumericColumn(Name, values, missing);
    }
}

/// <summary>
/// Dictionary-encoded values: <see cref="Codes"/> index <see cref="Categories"/>, and <see cref="MissingCode"/> marks a
/// missing value. Categories are in order of first appearance.
/// </summary>
public sealed class CategoricalColumn(string name, int[] codes, string[] categories) : DataColumn(name)
{
    public const int MissingCode = -1;

    public int[] Codes { get; } = codes;

    public string[] Categories { get; } = categories;

    public override ColumnType Type => ColumnType.Categorical;

    public override int Length => Codes.Length;

    public override bool IsMissing(int row) => Codes[row] == MissingCode;

    public string? ValueAt(int row) => Codes[row] == MissingCode ? null : Categories[Codes[row]];

    public override DataColumn Take(ReadOnlySpan<int> rows)
    {
        var codes = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            codes[i] = Codes[rows[i]];
        }

        return new CategoricalColumn(Name, codes, Categories);
    }
}

/// <summary>Free text; a missing value is null.</summary>
public sealed class TextColumn(string name, string?[] values) : DataColumn(name)
{
    public string?[] Values { get; } = values;

    public override ColumnType Type => ColumnType.Text;

    public override int Length => Values.Length;

    public override bool IsMissing(int row) => Values[row] is null;

    public override DataColumn Take(ReadOnlySpan<int> rows)
    {
        var values = new string?[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = Values[rows[i]];
        }

        return new TextColumn(Name, values);
    }
}

/// <summary>Booleans with a missing mask.</summary>
public sealed class BooleanColumn(string name, bool[] values, bool[] missing) : DataColumn(name)
{
    public bool[] Values { get; } = values;

    public bool[] Missing { get; } = missing;

    public override ColumnType Type => ColumnType.Boolean;

    public override int Length => Values.Length;

    public override bool IsMissing(int row) => Missing[row];

    public override DataColumn Take(ReadOnlySpan<int> rows)
    {
        var values = new bool[rows.Length];
        var missing = new bool[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = Values[rows[i]];
            missing[i] = Missing[rows[i]];
        }

        return new BooleanColumn(Name, values, missing);
    }
}
