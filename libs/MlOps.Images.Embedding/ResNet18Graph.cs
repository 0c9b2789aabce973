using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Onnx.Protos;

namespace MlOps.Images.Embedding;

/// <summary>
/// The shipped ResNet18 graphs, made ready to batch. The encoder's graph declares a batch of 1 (input
/// <c>Input247</c> [1, 3, 224, 224], output [1, 512, 1, 1]); every operator in it (convolutions, batch norms, pools,
/// additions) works on any batch, so the batch dimension of its input and output is made symbolic and the recorded
/// intermediate shapes are dropped. The preprocessing graph (RGB planes → BGR less a mean image, Caffe's way) is run
/// once on a black image, which yields the mean image itself.
/// </summary>
internal static class ResNet18Graph
{
    public const string EncoderFile = "ResNet18Onnx/ResNet18.onnx";

    public const string PreprocessFile = "ResNetPrepOnnx/ResNetPreprocess.onnx";

    /// <summary>
    /// The encoder graph with a symbolic batch dimension, as bytes for ONNX Runtime, and the SHA-256 of the file as
    /// shipped (what a model version records, and what keys cached embeddings).
    /// </summary>
    public static (byte[] Graph, string FileSha256) EncoderWithAnyBatch(string modelDirectory)
    {
        var shipped = File.ReadAllBytes(Locate(modelDirectory, EncoderFile));
        var model = ModelProto.Parser.ParseFrom(shipped);
        var graph = model.Graph;
        var initialized = graph.Initializer.Select(initializer => initializer.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var value in graph.Input.Where(input => !initialized.Contains(input.Name)).Concat(graph.Output))
        {
            value.Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
        }

        graph.ValueInfo.Clear();
        return (model.ToByteArray(), Convert.ToHexStringLower(SHA256.HashData(shipped)));
    }

    /// <summary>The mean image the preprocessing subtracts, in the encoder's channel order (B, G, R planes of 224 × 224).</summary>
    public static float[] MeanImage(string modelDirectory)
    {
        using var session = new InferenceSession(Locate(modelDirectory, PreprocessFile));
        var input = session.InputMetadata.Single();
        var shape = input.Value.Dimensions;
        var black = new DenseTensor<float>(shape);
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(input.Key, black)]);
        var negated = outputs.Single().AsTensor<float>().ToArray();
        for (var i = 0; i < negated.Length; i++)
        {
            negated[i] = -negated[i];
        }

        return negated;
    }

    private static string Locate(string modelDirectory, string file)
    {
        var path = Path.Combine(modelDirectory, file);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The ResNet18 graph {file} is not in {modelDirectory}; it ships with MlOps.Images (Microsoft.ML.DnnImageFeaturizer.ResNet18's tools folder).", path);
    }
}
