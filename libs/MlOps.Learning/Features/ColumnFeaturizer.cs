using MlOps.Learning.Data;

namespace MlOps.Learning.Features;

/// <summary>Collects one row's non-zero features as (index, value) pairs in caller-provided buffers.</summary>
public ref struct FeatureWriter(Span<int> indices, Span<double> values)
{
    private readonly Span<int> _indices = indices;
    private readonly Span<double> _values = values;

    public int Count { get; private set; }

    public void Add(int index, double value)
    {
        _indices[Count] = index;
        _values[Count] = value;
        Count++;
    }
}

/// <summary>
/// The fitted transformation of one input column into <see cref="Width"/> features starting at <see cref="Offset"/>.
/// Immutable once fitted, so one instance serves every scoring thread.
/// </summary>
public abstract class ColumnFeaturizer(string column, ColumnType sourceType, int offset, int width)
{
    public string Column { get; } = column;

    public ColumnType SourceType { get; } = sourceType;

    public int Offset { get; } = offset;

    public int Width { get; } = width;

    /// <summary>The most (index, value) pairs <see cref="Write"/> can add for this value.</summary>
    public virtual int MaxEntries(in FeatureValue value) => 1;

    public abstract void Write(in FeatureValue value, ref FeatureWriter writer);

    /// <summary>The value of <paramref name="column"/> at <paramref name="row"/>, in the shape this featurizer reads.</summary>
    public static FeatureValue ValueAt(DataColumn column, int row) => column switch
    {
        NumericColumn numeric => numeric.Missing[row] ? FeatureValue.Missing : FeatureValue.FromNumber(numeric.Values[row]),
        BooleanColumn boolean => boolean.Missing[row] ? FeatureValue.Missing : FeatureValue.FromBoolean(boolean.Values[row]),
        CategoricalColumn categorical => FeatureValue.FromText(categorical.ValueAt(row)),
        TextColumn text => FeatureValue.FromText(text.Values[row]),
        EmbeddingColumn embeddings => embeddings.Missing[row] ? FeatureValue.Missing : FeatureValue.FromVector(embeddings.VectorAt(row)),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.GetType().Name, "Unknown column kind."),
    };
}
