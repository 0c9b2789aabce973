using System.Buffers;
using MlOps.Learning.Data;

namespace MlOps.Learning.Features;

/// <summary>
/// The fitted transformation of a table's input columns into one feature vector per row: each column's features
/// occupy their own range (<see cref="ColumnFeaturizer.Offset"/>, <see cref="ColumnFeaturizer.Width"/>). Immutable;
/// fitted on training data and stored in the model, so training and scoring featurize identically.
/// </summary>
public sealed class Featurizer
{
    public Featurizer(IReadOnlyList<ColumnFeaturizer> columns)
    {
        Columns = columns;
        Width = columns.Count == 0 ? 0 : columns[^1].Offset + columns[^1].Width;
        IsSparse = columns.Any(column => column is TextFeaturizer);
        FixedEntries = columns.Where(column => column is not TextFeaturizer).Sum(column => column is ImageFeaturizer ? column.Width : 1);
    }

    /// <summary>In input order; a row of values for <see cref="Write"/> follows this order.</summary>
    public IReadOnlyList<ColumnFeaturizer> Columns { get; }

    public int Width { get; }

    /// <summary>Hashed text makes rows sparse; without it every row is stored densely.</summary>
    public bool IsSparse { get; }

    /// <summary>Entries a row has at most outside its text: one per numeric or categorical column, a vector's per image column.</summary>
    private int FixedEntries { get; }

    public static Featurizer Fit(DataTable features, FeaturizerOptions? options = null)
    {
        options ??= new FeaturizerOptions();
        options.Validate();
        var columns = new List<ColumnFeaturizer>(features.Columns.Count);
        var offset = 0;
        foreach (var column in features.Columns)
        {
            ColumnFeaturizer fitted = column.Type switch
            {
                ColumnType.Numeric or ColumnType.Boolean => NumericFeaturizer.Fit(column, offset, options),
                ColumnType.Categorical => CategoricalFeaturizer.Fit(column, offset, options),
                ColumnType.Text => TextFeaturizer.Fit(column, offset, options),
                ColumnType.Image => ImageFeaturizer.Fit(column, offset, options),
                _ => throw new ArgumentOutOfRangeException(nameof(features), column.Type, "Unknown column type."),
            };
            columns.Add(fitted);
            offset += fitted.Width;
        }

        return new Featurizer(columns);
    }

    /// <summary>The most entries <see cref="Write"/> can produce for this row.</summary>
    public int MaxEntries(ReadOnlySpan<FeatureValue> row)
    {
        if (!IsSparse)
        {
            return FixedEntries;
        }

        var entries = 0;
        for (var i = 0; i < Columns.Count; i++)
        {
            entries += Columns[i].MaxEntries(row[i]);
        }

        return entries;
    }

    /// <summary>Writes the row's non-zero features; <paramref name="row"/> holds one value per column, in order.</summary>
    public int Write(ReadOnlySpan<FeatureValue> row, Span<int> indices, Span<double> values)
    {
        var writer = new FeatureWriter(indices, values);
        for (var i = 0; i < Columns.Count; i++)
        {
            Columns[i].Write(row[i], ref writer);
        }

        return writer.Count;
    }

    /// <summary>Featurizes every row of <paramref name="table"/>, which must hold every input column (by name).</summary>
    public FeatureMatrix Transform(DataTable table)
    {
        var sources = Columns.Select(column => table[column.Column]).ToArray();
        return IsSparse ? TransformSparse(sources, table.RowCount) : TransformDense(sources, table.RowCount);
    }

    /// <summary>
    /// Featurizes every row of <paramref name="table"/> into one array a feature (column-major, what trees bin);
    /// dense featurizers only: hashed text would make thousands of mostly-zero columns.
    /// </summary>
    public double[][] TransformColumns(DataTable table)
    {
        if (IsSparse)
        {
            throw new InvalidOperationException("Text features are sparse; they have no column-major form.");
        }

        var sources = Columns.Select(column => table[column.Column]).ToArray();
        var rowCount = table.RowCount;
        var columns = new double[Width][];
        for (var feature = 0; feature < Width; feature++)
        {
            columns[feature] = new double[rowCount];
        }

        Parallel.For(0, sources.Length, c =>
        {
            if (Columns[c] is NumericFeaturizer numeric)
            {
                numeric.WriteColumn(sources[c], columns[numeric.Offset]);
                return;
            }

            if (Columns[c] is ImageFeaturizer image)
            {
                image.WriteColumns(sources[c], columns);
                return;
            }

            Span<int> index = stackalloc int[1];
            Span<double> value = stackalloc double[1];
            for (var r = 0; r < rowCount; r++)
            {
                var writer = new FeatureWriter(index, value);
                Columns[c].Write(ColumnFeaturizer.ValueAt(sources[c], r), ref writer);
                columns[index[0]][r] = value[0];
            }
        });
        return columns;
    }

    /// <summary>Column by column, each featurizer reading its source's contiguous values straight into the matrix.</summary>
    private DenseFeatureMatrix TransformDense(DataColumn[] sources, int rowCount)
    {
        var matrix = new double[(long)rowCount * Width];
        Span<int> index = stackalloc int[1];
        Span<double> value = stackalloc double[1];
        for (var c = 0; c < sources.Length; c++)
        {
            if (Columns[c] is NumericFeaturizer numeric)
            {
                numeric.WriteColumn(sources[c], matrix, Width);
                continue;
            }

            if (Columns[c] is ImageFeaturizer image)
            {
                image.WriteColumn(sources[c], matrix, Width);
                continue;
            }

            for (var r = 0; r < rowCount; r++)
            {
                var writer = new FeatureWriter(index, value);
                Columns[c].Write(ColumnFeaturizer.ValueAt(sources[c], r), ref writer);
                matrix[((long)r * Width) + index[0]] = value[0];
            }
        }

        return new DenseFeatureMatrix(rowCount, Width, matrix);
    }

    private SparseFeatureMatrix TransformSparse(DataColumn[] sources, int rowCount)
    {
        var rowStarts = new int[rowCount + 1];
        var allIndices = new List<int>(rowCount * (FixedEntries + 32));
        var allValues = new List<double>(rowCount * (FixedEntries + 32));
        var row = new FeatureValue[sources.Length];
        for (var r = 0; r < rowCount; r++)
        {
            for (var c = 0; c < sources.Length; c++)
            {
                row[c] = ColumnFeaturizer.ValueAt(sources[c], r);
            }

            var capacity = MaxEntries(row);
            var indices = ArrayPool<int>.Shared.Rent(capacity);
            var values = ArrayPool<double>.Shared.Rent(capacity);
            var count = Write(row, indices, values);
            for (var k = 0; k < count; k++)
            {
                allIndices.Add(indices[k]);
                allValues.Add(values[k]);
            }

            ArrayPool<int>.Shared.Return(indices);
            ArrayPool<double>.Shared.Return(values);
            rowStarts[r + 1] = allIndices.Count;
        }

        return new SparseFeatureMatrix(rowCount, Width, rowStarts, allIndices.ToArray(), allValues.ToArray());
    }
}
