using System.Collections.Frozen;
using MlOps.Learning.Models;

namespace MlOps.ServingService.Models;

/// <summary>
/// One model version in memory, immutable, shared by every request: the scorer, its inputs by name, and where it came
/// from. Requests take a reference and keep it, so a swap never pulls a model out from under a running request.
/// </summary>
public sealed class LoadedModel(string name, int version, Model model, string sha256, DateTimeOffset loadedAt)
{
    public string Name { get; } = name;

    public int Version { get; } = version;

    public Model Model { get; } = model;

    public string Sha256 { get; } = sha256;

    public DateTimeOffset LoadedAt { get; } = loadedAt;

    /// <summary>Each input's position in <see cref="MlOps.Learning.Models.Model.Inputs"/>, by name.</summary>
    public FrozenDictionary<string, int> InputIndex { get; } =
        model.Inputs.Select((input, index) => (input.Name, index)).ToFrozenDictionary(pair => pair.Name, pair => pair.index, StringComparer.Ordinal);
}

/// <summary>Why a model could not be served: not in the registry (404), or the registry or the model file failed (503).</summary>
public sealed class ModelLoadException(int status, string title, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}
