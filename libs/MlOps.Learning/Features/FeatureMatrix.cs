using System.Numerics.Tensors;

namespace MlOps.Learning.Features;

/// <summary>
/// The featurized rows a learner trains on: dense (row-major, contiguous) when every feature is numeric or one-hot, or
/// compressed sparse rows when hashed text makes most entries zero.
/// </summary>
public abstract class FeatureMatrix(int rowCount, int columnCount)
{
    public int RowCount { get; } = rowCount;

    public int ColumnCount { get; } = columnCount;

    /// <summary>x_row · weights (weights has at least <see cref="ColumnCount"/> entries).</summary>
    public abstract double Dot(int row, ReadOnlySpan<double> weights);

    /// <summary>target += scale · x_row.</summary>
    public abstract void AddScaledRow(int row, double scale, Span<double> target);
}

/// <summary>Row-major dense features: row i is <c>Values[i*ColumnCount .. (i+1)*ColumnCount)</c>.</summary>
public sealed class DenseFeatureMatrix(int rowCount, int columnCount, double[] values) : FeatureMatrix(rowCount, columnCount)
{
    public double[] Values { get; } = values;

    public ReadOnlySpan<double> Row(int row) => Values.AsSpan(row * ColumnCount, ColumnCount);

    public override double Dot(int row, ReadOnlySpan<double> weights) =>
        TensorPrimitives.Dot(Row(row), weights[..ColumnCount]);

    public override void AddScaledRow(int row, double scale, Span<double> target)
    {
        var destination = target[..ColumnCount];
        TensorPrimitives.MultiplyAdd(Row(row), scale, destination, destination);
    }
}

/// <summary>Compressed sparse rows: row i's entries are <c>Indices/Values[RowStarts[i] .. RowStarts[i+1])</c>.</summary>
public sealed class SparseFeatureMatrix(int rowCount, int columnCount, int[] rowStarts, int[] indices, double[] values)
    : FeatureMatrix(rowCount, columnCount)
{
    public int[] RowStarts { get; } = rowStarts;

    public int[] Indices { get; } = indices;

    public double[] Values { get; } = values;

    public override double Dot(int row, ReadOnlySpan<double> weights)
    {
        var sum = 0.0;
        for (var k = RowStarts[row]; k < RowStarts[row + 1]; k++)
        {
            sum += Values[k] * weights[Indices[k]];
        }

        return sum;
    }

    public override void AddScaledRow(int row, double scale, Span<double> target)
    {
        for (var k = RowStarts[row]; k < RowStarts[row + 1]; k++)
        {
            target[Indices[k]] += scale * Values[k];
        }
    }
}
