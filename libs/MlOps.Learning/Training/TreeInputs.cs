using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Trees;

namespace MlOps.Learning.Training;

/// <summary>
/// A table as the trees take it: the dense features (numbers, booleans, category codes) as columns, the hashed-text
/// buckets chosen for trees as sparse rows after them, and where each tree feature sits in the featurizer's output, so
/// a trained tree can be read against the model's featurized rows. Text buckets are chosen once, on the training rows:
/// those in at least <c>minTextDocuments</c> rows, the <c>maxTextFeatures</c> most frequent.
/// </summary>
internal sealed class TreeInputs
{
    private readonly Featurizer _featurizer;

    /// <summary>Each featurizer output's tree feature, or −1 for a text bucket not chosen.</summary>
    private readonly int[] _featureOf;

    private TreeInputs(Featurizer featurizer, int[] featurizerIndex, int denseCount, int[] categoryCounts)
    {
        _featurizer = featurizer;
        FeaturizerIndex = featurizerIndex;
        DenseCount = denseCount;
        CategoryCounts = categoryCounts;
        _featureOf = new int[featurizer.Width];
        Array.Fill(_featureOf, -1);
        for (var feature = 0; feature < featurizerIndex.Length; feature++)
        {
            _featureOf[featurizerIndex[feature]] = feature;
        }
    }

    /// <summary>Each tree feature's index in the featurizer's output.</summary>
    public int[] FeaturizerIndex { get; }

    public int DenseCount { get; }

    public int FeatureCount => FeaturizerIndex.Length;

    /// <summary>Each dense feature's number of category codes, or 0.</summary>
    public int[] CategoryCounts { get; }

    /// <summary>Chooses the tree features on the training inputs and returns them with the rows.</summary>
    public static (TreeInputs Inputs, BoostingData Data) Fit(Featurizer featurizer, DataTable inputs, double[] targets, int maxTextFeatures, int minTextDocuments)
    {
        // Every output of a dense featurizer is a tree feature (a picture's vector gives many); only category codes are categorical.
        var dense = featurizer.Columns.Where(column => column is not TextFeaturizer).ToArray();
        var categoryCounts = dense
            .SelectMany(column => Enumerable.Repeat(column is CategoricalFeaturizer { AsCodes: true } categorical ? categorical.Categories.Count + 1 : 0, column.Width))
            .ToArray();
        if (!featurizer.IsSparse)
        {
            var identity = new TreeInputs(featurizer, [.. Enumerable.Range(0, featurizer.Width)], featurizer.Width, categoryCounts);
            return (identity, new BoostingData(featurizer.TransformColumns(inputs), targets, categoryCounts));
        }

        var matrix = (SparseFeatureMatrix)featurizer.Transform(inputs);
        var isText = new bool[featurizer.Width];
        foreach (var text in featurizer.Columns.OfType<TextFeaturizer>())
        {
            isText.AsSpan(text.Offset, text.Width).Fill(true);
        }

        var documents = new int[featurizer.Width];
        foreach (var index in matrix.Indices)
        {
            if (isText[index])
            {
                documents[index]++;
            }
        }

        var chosen = Enumerable.Range(0, featurizer.Width)
            .Where(index => isText[index] && documents[index] >= minTextDocuments)
            .OrderByDescending(index => documents[index])
            .ThenBy(index => index)
            .Take(maxTextFeatures)
            .Order()
            .ToArray();
        var tree = new TreeInputs(featurizer, [.. dense.SelectMany(column => Enumerable.Range(column.Offset, column.Width)), .. chosen], categoryCounts.Length, categoryCounts);
        return (tree, tree.Split(matrix, targets));
    }

    /// <summary>Another table's rows (validation) as the same tree features.</summary>
    public BoostingData Apply(DataTable table, double[] targets) =>
        _featurizer.IsSparse
            ? Split((SparseFeatureMatrix)_featurizer.Transform(table), targets)
            : new BoostingData(_featurizer.TransformColumns(table), targets, CategoryCounts);

    /// <summary>Trees over the tree features, read against the featurizer's output instead.</summary>
    public TreeEnsemblePredictor ToModelFeatures(TreeEnsemblePredictor trees) => new(
        trees.Kind,
        trees.Objective,
        _featurizer.Width,
        trees.BaseScores,
        [.. trees.Trees.Select(member => member.Select(tree => tree.WithFeatures(FeaturizerIndex)).ToArray())]);

    /// <summary>The featurized rows' dense entries into columns and the chosen text entries into sparse rows.</summary>
    private BoostingData Split(SparseFeatureMatrix matrix, double[] targets)
    {
        var rows = matrix.RowCount;
        var columns = new double[DenseCount][];
        for (var feature = 0; feature < DenseCount; feature++)
        {
            columns[feature] = new double[rows];
        }

        var rowStarts = new int[rows + 1];
        var features = new List<int>();
        var values = new List<double>();
        for (var row = 0; row < rows; row++)
        {
            for (var entry = matrix.RowStarts[row]; entry < matrix.RowStarts[row + 1]; entry++)
            {
                var feature = _featureOf[matrix.Indices[entry]];
                if (feature < 0)
                {
                    continue;
                }

                if (feature < DenseCount)
                {
                    columns[feature][row] = matrix.Values[entry];
                }
                else if (matrix.Values[entry] > 0)
                {
                    features.Add(feature - DenseCount);
                    values.Add(matrix.Values[entry]);
                }
            }

            rowStarts[row + 1] = features.Count;
        }

        var sparse = new SparseRows(FeatureCount - DenseCount, rowStarts, [.. features], [.. values]);
        return new BoostingData(columns, targets, CategoryCounts, sparse);
    }
}
