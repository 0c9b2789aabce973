namespace MlOps.Onnx.Export;

/// <summary>
/// A model that has no exact ONNX form (hashed text: ONNX Runtime's standard operators cannot reproduce the
/// featurizer). The message says why; the platform never hands out an approximate model instead.
/// </summary>
public sealed class OnnxExportException(string message) : Exception(message);
