namespace MlOps.ServingService.Predictions;

/// <summary>
/// A picture sent for an image input, to be encoded before the instance is scored: its input's position and name, where
/// it was in the request (<c>instances[2].image</c>), its bytes, and once encoded its sketch for the inference log.
/// </summary>
public sealed class PendingPicture(int position, string input, string path, byte[] bytes)
{
    public int Position { get; } = position;

    public string Input { get; } = input;

    public string Path { get; } = path;

    public byte[] Bytes { get; } = bytes;

    /// <summary>The picture's <see cref="Learning.Features.ImageSketch"/>, set when it is encoded.</summary>
    public float[]? Sketch { get; set; }
}
