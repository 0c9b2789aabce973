namespace MlOps.ServingService.Predictions;

/// <summary>
/// A picture sent for an image input, to be encoded before the instance is scored: its input's position and name, where
/// it was in the request (<c>instances[2].image</c>), its bytes.
/// </summary>
public sealed record PendingPicture(int Position, string Input, string Path, byte[] Bytes);
