namespace MlOps.Learning.Features;

/// <summary>
/// Which encoder turned pictures into vectors: its name, the SHA-256 of its weights and the vectors' length. A model
/// records it, so pictures are encoded for scoring exactly as they were for training.
/// </summary>
public sealed record ImageEncoding(string Name, string Sha256, int Dimensions);
