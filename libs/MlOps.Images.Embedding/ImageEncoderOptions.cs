namespace MlOps.Images.Embedding;

/// <summary>Where the encoder's graphs are, how it runs them, and where its embeddings are kept (section <c>Images</c>).</summary>
public sealed class ImageEncoderOptions
{
    public const string SectionName = "Images";

    /// <summary>The folder holding ResNet18Onnx/ResNet18.onnx and ResNetPrepOnnx/ResNetPreprocess.onnx (default: beside the program).</summary>
    public string ModelDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

    /// <summary>Images embedded in one run of the graph.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Threads ONNX Runtime uses inside one run (0: its default, every core).</summary>
    public int IntraOpThreads { get; init; }

    public ImageLimits Limits { get; init; } = new();

    /// <summary>Where embeddings are kept by picture (<see cref="EmbeddingCache"/>); null keeps none.</summary>
    public string? CacheDirectory { get; init; }
}
