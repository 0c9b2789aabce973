namespace MlOps.Learning.Data;

/// <summary>An immutable, columnar, typed table: every column has <see cref="RowCount"/> values.</summary>
public sealed class DataTable
{
    private readonly Dictionary<string, DataColumn> _byName;

    public DataTable(IReadOnlyList<DataColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns;
        RowCount = columns.Count == 0 ? 0 : columns[0].Length;
        _byName = new Dictionary<string, DataColumn>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (column.Length != RowCount)
            {
                throw new ArgumentException(
                    $"Column '{column.Name}' has {column.Length} values where the table has {RowCount} rows.", nameof(columns));
            }

            if (!_byName.TryAdd(column.Name, column))
            {
                throw new ArgumentException($"Column '{column.Name}' appears twice.", nameof(columns));
            }
        }
    }

    public IReadOnlyList<DataColumn> Columns { get; }

    public int RowCount { get; }

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The column with this name; a clear error naming the available columns otherwise.</summary>
    public DataColumn this[string name] => _byName.TryGetValue(name, out var column)
        ? column
        : throw new DataException(
            $"Column '{name}' does not exist. The columns are: {string.Join(", ", Columns.Select(c => $"'{c.Name}'"))}.");

    /// <summary>The rows at <paramref name="rows"/>, in that order.</summary>
    public DataTable Take(ReadOnlySpan<int> rows)
    {
        var columns = new DataColumn[Columns.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = Columns[i].Take(rows);
        }

        return new DataTable(columns);
    }

    /// <summary>The table without the named column (the features, once the target is taken out).</summary>
    public DataTable Without(string name)
    {
        _ = this[name];
        return new DataTable(Columns.Where(column => column.Name != name).ToArray());
    }
}
