using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Training;

namespace MlOps.Learning.MlNet;

/// <summary>Our featurized rows as ML.NET data views: one float vector a row, dense or sparse as the featurizer made it.</summary>
internal static class FeatureViews
{
    public static SchemaDefinition TrainingSchema(int width, int classes)
    {
        var schema = SchemaDefinition.Create(typeof(TrainingRow));
        schema[nameof(TrainingRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        schema[nameof(TrainingRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), Math.Max(classes, 2));
        return schema;
    }

    public static SchemaDefinition InputSchema(int width)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    /// <summary>The schema a trained predictor is saved with: the feature vector only.</summary>
    public static DataViewSchema Input(MLContext ml, int width) =>
        ml.Data.LoadFromEnumerable(Array.Empty<FeatureRow>(), InputSchema(width)).Schema;

    /// <summary>Every row of <paramref name="features"/> with its target from <paramref name="encoding"/>.</summary>
    public static TrainingRow[] Rows(FeatureMatrix features, TargetEncoding encoding)
    {
        var rows = new TrainingRow[features.RowCount];
        Parallel.For(0, rows.Length, row =>
        {
            var target = new TrainingRow { Features = Vector(features, row) };
            switch (encoding.Task)
            {
                case LearningTask.Regression:
                    target.Value = (float)encoding.Values[row];
                    break;
                case LearningTask.BinaryClassification:
                    target.Flag = encoding.Codes[row] == 1;
                    break;
                default:
                    target.Label = (uint)encoding.Codes[row];
                    break;
            }

            rows[row] = target;
        });
        return rows;
    }

    private static VBuffer<float> Vector(FeatureMatrix features, int row)
    {
        switch (features)
        {
            case DenseFeatureMatrix dense:
            {
                var values = new float[dense.ColumnCount];
                var source = dense.Row(row);
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)source[i];
                }

                return new VBuffer<float>(values.Length, values);
            }

            case SparseFeatureMatrix sparse:
            {
                var start = sparse.RowStarts[row];
                var count = sparse.RowStarts[row + 1] - start;
                var values = new float[count];
                var indices = sparse.Indices.AsSpan(start, count).ToArray();
                for (var i = 0; i < count; i++)
                {
                    values[i] = (float)sparse.Values[start + i];
                }

                return new VBuffer<float>(sparse.ColumnCount, count, values, indices);
            }

            default:
                throw new ArgumentException($"No ML.NET form for {features.GetType().Name}.", nameof(features));
        }
    }
}
