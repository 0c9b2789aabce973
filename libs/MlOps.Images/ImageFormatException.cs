namespace MlOps.Images;

/// <summary>An image that cannot be used: not a format we decode, damaged or truncated, or over a limit. The message says which.</summary>
public sealed class ImageFormatException(string message) : Exception(message);
