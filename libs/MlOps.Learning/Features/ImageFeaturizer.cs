using MlOps.Learning.Data;

namespace MlOps.Learning.Features;

/// <summary>
/// A picture's vector from its encoder (<see cref="Encoding"/>) as <see cref="ImageEncoding.Dimensions"/> features,
/// each standardized with the training vectors' mean and population standard deviation and divided by √d (so the
/// block weighs as much as a text column's normalized row); a missing picture is the mean
/// (zeros), or NaN in every feature when missing values are left to the learner (trees). Pictures are encoded before
/// they reach it: the trainer and the server run the encoder the model records.
/// </summary>
public sealed class ImageFeaturizer(string column, int offset, ImageEncoding encoding, double[] center, double[] scale, bool missingAsNaN)
    : ColumnFeaturizer(column, ColumnType.Image, offset, encoding.Dimensions)
{
    public ImageEncoding Encoding { get; } = encoding;

    public IReadOnlyList<double> Center { get; } = center;

    public IReadOnlyList<double> Scale { get; } = scale;

    /// <summary>Whether a missing picture's features are NaN (for trees) rather than zeros.</summary>
    public bool MissingAsNaN { get; } = missingAsNaN;

    public override int MaxEntries(in FeatureValue value) => Width;

    public override void Write(in FeatureValue value, ref FeatureWriter writer)
    {
        var vector = value.Vector.Span;
        if (vector.IsEmpty)
        {
            if (MissingAsNaN)
            {
                for (var d = 0; d < Width; d++)
                {
                    writer.Add(Offset + d, double.NaN);
                }
            }

            return;
        }

        if (vector.Length != Width)
        {
            throw new ArgumentException($"Column '{Column}' takes vectors of {Width} values from {Encoding.Name}; got {vector.Length}.", nameof(value));
        }

        Span<double> features = stackalloc double[Width];
        Standardize(vector, features);
        for (var d = 0; d < Width; d++)
        {
            writer.Add(Offset + d, features[d]);
        }
    }

    internal static ImageFeaturizer Fit(DataColumn column, int offset, FeaturizerOptions options)
    {
        var embeddings = column as EmbeddingColumn
            ?? throw new ArgumentException(
                $"Column '{column.Name}' holds pictures that are not encoded yet: encode them (an EmbeddingColumn) before featurizing.", nameof(column));
        var dimensions = embeddings.Dimensions;
        var sums = new double[dimensions];
        var squares = new double[dimensions];
        var present = 0;
        for (var row = 0; row < embeddings.Length; row++)
        {
            if (embeddings.Missing[row])
            {
                continue;
            }

            present++;
            var vector = embeddings.VectorAt(row).Span;
            for (var d = 0; d < dimensions; d++)
            {
                sums[d] += vector[d];
                squares[d] += (double)vector[d] * vector[d];
            }
        }

        // Standardized, then divided by √d: a picture's block of features has unit expected squared length, as a text
        // column's L2-normalized TF-IDF row does, so one L2 penalty suits both (standardized alone, the 512 dense
        // features outweigh the text and overfit: measured in bench/results/multimodal.md).
        var center = new double[dimensions];
        var scale = new double[dimensions];
        var blockScale = Math.Sqrt(dimensions);
        for (var d = 0; d < dimensions; d++)
        {
            var mean = present > 0 ? sums[d] / present : 0;
            var variance = present > 0 ? Math.Max(0, (squares[d] / present) - (mean * mean)) : 0;
            center[d] = options.Standardize ? mean : 0;
            scale[d] = options.Standardize ? (variance > 0 ? Math.Sqrt(variance) : 1) * blockScale : 1;
        }

        return new ImageFeaturizer(embeddings.Name, offset, embeddings.Encoding, center, scale, options.Impute == ImputeStrategy.None);
    }

    /// <summary>Writes these features for every row into a row-major dense matrix of <paramref name="width"/> columns.</summary>
    internal void WriteColumn(DataColumn column, double[] matrix, int width)
    {
        var embeddings = (EmbeddingColumn)column;
        for (var row = 0; row < embeddings.Length; row++)
        {
            WriteRow(embeddings, row, matrix.AsSpan((int)(((long)row * width) + Offset), Width));
        }
    }

    /// <summary>Writes these features for every row into their own columns.</summary>
    internal void WriteColumns(DataColumn column, double[][] columns)
    {
        var embeddings = (EmbeddingColumn)column;
        Span<double> row = stackalloc double[Width];
        for (var r = 0; r < embeddings.Length; r++)
        {
            WriteRow(embeddings, r, row);
            for (var d = 0; d < Width; d++)
            {
                columns[Offset + d][r] = row[d];
            }
        }
    }

    private void WriteRow(EmbeddingColumn embeddings, int row, Span<double> destination)
    {
        if (embeddings.Missing[row])
        {
            destination.Fill(MissingAsNaN ? double.NaN : 0);
            return;
        }

        Standardize(embeddings.VectorAt(row).Span, destination);
    }

    private void Standardize(ReadOnlySpan<float> vector, Span<double> destination)
    {
        for (var d = 0; d < destination.Length; d++)
        {
            destination[d] = (vector[d] - center[d]) / scale[d];
        }
    }
}
