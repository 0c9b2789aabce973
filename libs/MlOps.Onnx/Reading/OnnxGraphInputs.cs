using Google.Protobuf;
using MlOps.Onnx.Protos;

namespace MlOps.Onnx.Reading;

/// <summary>The inputs a caller feeds an ONNX graph: its declared inputs less those an initializer gives (older exporters list weights as inputs too).</summary>
public static class OnnxGraphInputs
{
    /// <summary>The graph's input names in order; none when the bytes are not an ONNX model (loading it says why).</summary>
    public static IReadOnlyList<string> Of(byte[] model)
    {
        ModelProto parsed;
        try
        {
            parsed = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException)
        {
            return [];
        }

        if (parsed.Graph is not { } graph)
        {
            return [];
        }

        var initialized = graph.Initializer.Select(initializer => initializer.Name).ToHashSet(StringComparer.Ordinal);
        return [.. graph.Input.Select(input => input.Name).Where(name => !initialized.Contains(name))];
    }
}
