namespace MlOps.Images.Embedding;

/// <summary>A picture's vector, or why the picture cannot be used (<see cref="Vector"/> is then null).</summary>
public readonly record struct EmbeddedPicture(float[]? Vector, string? Error);
