using MlOps.Learning.Features;
using MlOps.Onnx.Protos;
using static MlOps.Onnx.Export.OnnxGraph;

namespace MlOps.Onnx.Export;

/// <summary>
/// The featurizer as graph nodes, in double precision as the platform computes it: a numeric input is cast, its missing
/// values imputed and the result centred and scaled; a categorical one is coded by a LabelEncoder (the kept values in
/// order, everything else the "other" code) and one-hot encoded or, for trees, kept as its code. The columns are
/// concatenated in the featurizer's order into <c>double [N, width]</c>.
/// </summary>
internal static class FeatureGraph
{
    /// <summary>The feature matrix, and the int64 codes of each categorical column by its feature index (what category-set splits test).</summary>
    public sealed record Features(string Matrix, IReadOnlyDictionary<int, string> Codes)
    {
        public string CodesOf(int feature) =>
            Codes.TryGetValue(feature, out var codes) ? codes : throw new OnnxExportException($"A category-set split reads feature {feature}, which is not a categorical code.");
    }

    /// <summary>Adds the model's inputs and featurization.</summary>
    public static Features Add(OnnxGraph graph, Featurizer featurizer)
    {
        var parts = new List<string>(featurizer.Columns.Count);
        var codes = new Dictionary<int, string>();
        foreach (var column in featurizer.Columns.OrderBy(column => column.Offset))
        {
            parts.Add(column switch
            {
                NumericFeaturizer numeric => Numeric(graph, numeric),
                CategoricalFeaturizer categorical => Categorical(graph, categorical, codes),
                TextFeaturizer => throw new OnnxExportException(
                    $"Input '{column.Column}' is text, featurized as hashed TF-IDF n-grams (MurmurHash3), which no standard ONNX operator computes; this model has no exact ONNX form."),
                ImageFeaturizer image => throw new OnnxExportException(
                    $"Input '{column.Column}' is a picture, encoded by {image.Encoding.Name} (a separate ONNX graph) before the model sees it; this model has no single ONNX form."),
                _ => throw new OnnxExportException($"Input '{column.Column}' has a featurizer ONNX export does not know ({column.GetType().Name})."),
            });
        }

        return new Features(parts.Count == 1 ? parts[0] : graph.Node("Concat", "features", parts, Attribute("axis", 1)), codes);
    }

    private static string Numeric(OnnxGraph graph, NumericFeaturizer numeric)
    {
        graph.Input(numeric.Column, TensorProto.Types.DataType.Float, numeric.SourceType == Learning.Data.ColumnType.Boolean
            ? "boolean as float: 1 true, 0 false, NaN missing"
            : "number as float, NaN missing");
        var value = graph.Node("Cast", "x", [numeric.Column], Attribute("to", (long)TensorProto.Types.DataType.Double));
        if (!double.IsNaN(numeric.ImputedValue))
        {
            var missing = graph.Node("IsNaN", "missing", [value]);
            value = graph.Node("Where", "imputed", [missing, graph.Constant("imputed_value", [numeric.ImputedValue]), value]);
        }

        if (numeric.Center != 0.0 || numeric.Scale != 1.0)
        {
            value = graph.Node("Sub", "centred", [value, graph.Constant("center", [numeric.Center])]);
            value = graph.Node("Div", "scaled", [value, graph.Constant("scale", [numeric.Scale])]);
        }

        return value;
    }

    private static string Categorical(OnnxGraph graph, CategoricalFeaturizer categorical, Dictionary<int, string> codesByFeature)
    {
        graph.Input(categorical.Column, TensorProto.Types.DataType.String, "category as string; an unseen or empty value is 'other'");
        var other = categorical.Categories.Count;
        // With no kept value, a key no input can hold (inputs never contain NUL) leaves every row "other".
        IReadOnlyList<string> keys = other == 0 ? ["\0"] : categorical.Categories;
        var codes = graph.MlNode(
            "LabelEncoder",
            "code",
            [categorical.Column],
            Attribute("keys_strings", keys),
            Attribute("values_int64s", Enumerable.Range(0, keys.Count).Select(code => (long)Math.Min(code, other))),
            Attribute("default_int64", other));
        codesByFeature[categorical.Offset] = codes;
        if (categorical.AsCodes)
        {
            return graph.Node("Cast", "code_value", [codes], Attribute("to", (long)TensorProto.Types.DataType.Double));
        }

        var width = other + 1L;
        var hot = graph.Node("OneHot", "one_hot", [codes, graph.Constant("depth", [width], 1), graph.Constant("off_on", [0L, 1L], 2)], Attribute("axis", -1));
        var flat = graph.Node("Reshape", "one_hot_2d", [hot, graph.Constant("shape", [-1L, width], 2)]);
        return graph.Node("Cast", "one_hot_value", [flat], Attribute("to", (long)TensorProto.Types.DataType.Double));
    }
}
