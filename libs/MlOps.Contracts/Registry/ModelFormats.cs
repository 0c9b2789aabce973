namespace MlOps.Contracts.Registry;

/// <summary>What a model version's file is (<see cref="ModelArtifact.Format"/>), and so how it is loaded.</summary>
public static class ModelFormats
{
    /// <summary>One of our model files (JSON), trained here or imported from MLflow.</summary>
    public const string Ours = "mlops-model";

    /// <summary>An ONNX model made elsewhere, read through its <see cref="ModelDescriptor"/>.</summary>
    public const string Onnx = "onnx";

    /// <summary>An ML.NET model made elsewhere (its <c>.zip</c>), read through its <see cref="ModelDescriptor"/>.</summary>
    public const string MlNet = "mlnet";
}
