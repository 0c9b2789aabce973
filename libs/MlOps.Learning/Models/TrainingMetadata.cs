namespace MlOps.Learning.Models;

/// <summary>
/// What produced a model, stored in its file. Nothing here depends on when or where training ran, so the same data,
/// parameters and seed give a byte-identical file.
/// </summary>
public sealed record TrainingMetadata(
    string LibraryVersion,
    IReadOnlyDictionary<string, string> Parameters,
    int Seed,
    string? DataSha256,
    int TrainingRows,
    int Iterations,
    string StopReason);
