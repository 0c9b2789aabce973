namespace MlOps.ServingService.Models;

/// <summary>Why a model could not be served: not in the registry (404), or the registry or the model file failed (503).</summary>
public sealed class ModelLoadException(int status, string title, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}
