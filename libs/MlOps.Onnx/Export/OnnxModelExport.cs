using Google.Protobuf;
using MlOps.Learning.Models;
using MlOps.Onnx.Protos;

namespace MlOps.Onnx.Export;

/// <summary>
/// A trained model as one self-contained ONNX file: the model's named inputs, the featurization, the predictor and the
/// outputs of <see cref="OnnxOutputs"/>, in the standard <c>ai.onnx</c> (opset 17) and <c>ai.onnx.ml</c> (opset 3)
/// operators, so ONNX Runtime or any ONNX runtime scores it with nothing of ours. Computed in double precision, it
/// agrees with the platform's scorer to rounding.
/// </summary>
public static class OnnxModelExport
{
    public const int OnnxOpset = 17;
    public const int MlOpset = 3;

    /// <summary>The model's ONNX file; throws <see cref="OnnxExportException"/> when the model has no exact ONNX form.</summary>
    public static byte[] ToOnnx(Model model, string? description = null)
    {
        var graph = new OnnxGraph();
        var features = FeatureGraph.Add(graph, model.Featurizer);
        var margins = PredictorGraph.Add(graph, model.Predictor, features);
        OutputGraph.Add(graph, model, margins);

        var onnx = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "MlOps.Aspire",
            ProducerVersion = typeof(OnnxModelExport).Assembly.GetName().Version?.ToString() ?? "1.0",
            Domain = "mlops",
            DocString = description ?? $"{model.Algorithm} predicting {model.Target} ({model.Task})",
            Graph = graph.Build(),
            OpsetImport =
            {
                new OperatorSetIdProto { Domain = string.Empty, Version = OnnxOpset },
                new OperatorSetIdProto { Domain = OnnxGraph.MlDomain, Version = MlOpset },
            },
        };
        onnx.MetadataProps.Add(new StringStringEntryProto { Key = "algorithm", Value = model.Algorithm });
        onnx.MetadataProps.Add(new StringStringEntryProto { Key = "task", Value = model.Task.ToString() });
        onnx.MetadataProps.Add(new StringStringEntryProto { Key = "target", Value = model.Target });
        return onnx.ToByteArray();
    }
}
