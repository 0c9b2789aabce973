using MlOps.Learning.Features;

namespace MlOps.Learning.Data;

/// <summary>
/// Pictures as their encoder's vectors (what the learners take): <see cref="ImageEncoding.Dimensions"/> floats a row,
/// row after row in one array, and a missing mask (no picture, or one that could not be used).
/// </summary>
public sealed class EmbeddingColumn : DataColumn
{
    public EmbeddingColumn(string name, ImageEncoding encoding, float[] values, bool[] missing)
        : base(name)
    {
        if (values.Length != (long)missing.Length * encoding.Dimensions)
        {
            throw new ArgumentException($"{missing.Length} rows of {encoding.Dimensions} take {missing.Length * encoding.Dimensions} values, not {values.Length}.", nameof(values));
        }

        Encoding = encoding;
        Values = values;
        Missing = missing;
    }

    public ImageEncoding Encoding { get; }

    /// <summary>Row-major: row r's vector is <c>Values[r·d .. (r+1)·d)</c>.</summary>
    public float[] Values { get; }

    public bool[] Missing { get; }

    public int Dimensions => Encoding.Dimensions;

    public override ColumnType Type => ColumnType.Image;

    public override int Length => Missing.Length;

    public override bool IsMissing(int row) => Missing[row];

    /// <summary>Row <paramref name="row"/>'s vector (zeros when missing).</summary>
    public ReadOnlyMemory<float> VectorAt(int row) => Values.AsMemory(row * Dimensions, Dimensions);

    public override DataColumn Take(ReadOnlySpan<int> rows)
    {
        var values = new float[rows.Length * Dimensions];
        var missing = new bool[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            Values.AsSpan(rows[i] * Dimensions, Dimensions).CopyTo(values.AsSpan(i * Dimensions));
            missing[i] = Missing[rows[i]];
        }

        return new EmbeddingColumn(Name, Encoding, values, missing);
    }
}
