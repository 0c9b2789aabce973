using Google.Protobuf;
using MlOps.Onnx.Protos;

namespace MlOps.Onnx.Export;

/// <summary>
/// A graph being written: nodes in the order added (which is topological, since a node's inputs exist before it),
/// constants as initializers, every intermediate value named uniquely. Rows are the first dimension, named <c>N</c>.
/// </summary>
internal sealed class OnnxGraph
{
    public const string MlDomain = "ai.onnx.ml";

    private readonly GraphProto _graph = new() { Name = "mlops" };
    private int _names;

    /// <summary>A fresh value name.</summary>
    public string Name(string hint) => $"{hint}_{_names++}";

    public string Constant(string hint, ReadOnlySpan<double> values, params long[] dims)
    {
        var tensor = Tensor(hint, TensorProto.Types.DataType.Double, dims);
        foreach (var value in values)
        {
            tensor.DoubleData.Add(value);
        }

        return Add(tensor);
    }

    public string Constant(string hint, ReadOnlySpan<long> values, params long[] dims)
    {
        var tensor = Tensor(hint, TensorProto.Types.DataType.Int64, dims);
        foreach (var value in values)
        {
            tensor.Int64Data.Add(value);
        }

        return Add(tensor);
    }

    public string Constant(string hint, IEnumerable<string> values, params long[] dims)
    {
        var tensor = Tensor(hint, TensorProto.Types.DataType.String, dims);
        tensor.StringData.AddRange(values.Select(ByteString.CopyFromUtf8));
        return Add(tensor);
    }

    /// <summary>Adds a node with one output and answers that output's name.</summary>
    public string Node(string opType, string hint, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        NodeIn(string.Empty, opType, hint, inputs, attributes);

    /// <summary>A node of the <c>ai.onnx.ml</c> domain (LabelEncoder, TreeEnsembleRegressor, …).</summary>
    public string MlNode(string opType, string hint, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        NodeIn(MlDomain, opType, hint, inputs, attributes);

    /// <summary>A graph input of this element type, <c>[N, 1]</c>: one column of the model's inputs.</summary>
    public void Input(string name, TensorProto.Types.DataType type, string documentation) =>
        _graph.Input.Add(Value(name, type, documentation, ["N", 1L]));

    /// <summary>Makes <paramref name="value"/> a graph output under <paramref name="name"/>.</summary>
    public void Output(string value, string name, TensorProto.Types.DataType type, string documentation, params object[] dims)
    {
        _graph.Node.Add(new NodeProto { OpType = "Identity", Name = name, Input = { value }, Output = { name } });
        _graph.Output.Add(Value(name, type, documentation, dims));
    }

    public GraphProto Build() => _graph;

    public static AttributeProto Attribute(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attribute(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attribute(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attribute(string name, IEnumerable<long> values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };

    public static AttributeProto Attribute(string name, IEnumerable<float> values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Floats, Floats = { values } };

    public static AttributeProto Attribute(string name, IEnumerable<string> values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Strings, Strings = { values.Select(ByteString.CopyFromUtf8) } };

    public static AttributeProto Attribute(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    /// <summary>A tensor of doubles for an attribute (the <c>_as_tensor</c> attributes of the ML operators).</summary>
    public static TensorProto DoubleTensor(IEnumerable<double> values)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Double };
        tensor.DoubleData.AddRange(values);
        tensor.Dims.Add(tensor.DoubleData.Count);
        return tensor;
    }

    private string NodeIn(string domain, string opType, string hint, IEnumerable<string> inputs, AttributeProto[] attributes)
    {
        var output = Name(hint);
        var node = new NodeProto { OpType = opType, Domain = domain, Name = output, Output = { output } };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    private TensorProto Tensor(string hint, TensorProto.Types.DataType type, long[] dims)
    {
        var tensor = new TensorProto { Name = Name(hint), DataType = (int)type };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private string Add(TensorProto tensor)
    {
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, string documentation, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim is string symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) });
        }

        return new ValueInfoProto
        {
            Name = name,
            DocString = documentation,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
