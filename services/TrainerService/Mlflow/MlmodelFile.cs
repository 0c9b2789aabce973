using System.Text.Json;
using MlOps.Contracts.Registry;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlOps.TrainerService.Mlflow;

/// <summary>
/// What an MLflow model folder's <c>MLmodel</c> file (YAML) says that an import needs: whether it has the <c>onnx</c>
/// flavor and which file in the folder holds the graph (<c>flavors.onnx.data</c>), and the named inputs of its
/// column-based signature (<c>signature.inputs</c>, a JSON list of <c>{name, type}</c>) as our input types.
/// </summary>
public sealed record MlmodelFile(string? OnnxData, IReadOnlyList<ModelInput>? SignatureInputs, string? SignatureProblem)
{
    /// <summary>The largest MLmodel file read (they are a few hundred bytes; a signature of a thousand columns fits).</summary>
    public const long MaxBytes = 1024 * 1024;

    /// <exception cref="FormatException">The file is not YAML, or its <c>flavors</c> is not a mapping.</exception>
    public static MlmodelFile Parse(byte[] content)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(new MemoryStream(content, writable: false));
            stream.Load(reader);
        }
        catch (YamlException exception)
        {
            throw new FormatException($"MLmodel is not YAML: {exception.Message}", exception);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new FormatException("MLmodel is not a YAML mapping.");
        }

        var onnxData = Child(Child(root, "flavors"), "onnx") is YamlMappingNode onnx && Child(onnx, "data") is YamlScalarNode { Value: { Length: > 0 } data }
            ? data
            : null;
        if (Child(Child(root, "signature"), "inputs") is not YamlScalarNode { Value: { Length: > 0 } inputs })
        {
            return new(onnxData, null, "MLmodel has no signature (signature.inputs): log the model with one (mlflow.models.infer_signature).");
        }

        var (columns, problem) = Columns(inputs);
        return new(onnxData, columns, problem);
    }

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    /// <summary>The signature's columns as named inputs; a tensor-based signature has no column names to give.</summary>
    private static (IReadOnlyList<ModelInput>? Columns, string? Problem) Columns(string json)
    {
        JsonElement specs;
        try
        {
            specs = JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException exception)
        {
            return (null, $"MLmodel's signature.inputs is not JSON: {exception.Message}");
        }

        if (specs.ValueKind != JsonValueKind.Array || specs.GetArrayLength() == 0)
        {
            return (null, "MLmodel's signature.inputs is not a list of columns.");
        }

        var columns = new List<ModelInput>();
        foreach (var spec in specs.EnumerateArray())
        {
            var type = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("type", out var t) ? t.GetString() : null;
            var name = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("name", out var n) ? n.GetString() : null;
            if (type == "tensor")
            {
                return (null,
                    "MLmodel's signature is tensor-based, so it names no columns: register the file with POST /api/models/{name}/versions and a descriptor naming the inputs, or log it with a column-based signature.");
            }

            var ours = type switch
            {
                "boolean" => "boolean",
                "integer" or "long" or "float" or "double" => "numeric",
                "string" => "categorical",
                _ => null,
            };
            if (name is not { Length: > 0 } || ours is null)
            {
                return (null, $"MLmodel's signature column {spec} is not one the platform takes (a named boolean, integer, long, float, double or string column).");
            }

            columns.Add(new ModelInput(name, ours));
        }

        return (columns, null);
    }
}
