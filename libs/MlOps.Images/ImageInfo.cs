namespace MlOps.Images;

/// <summary>What a decoded image is: its encoded format (<c>png</c>, <c>jpeg</c>, …) and its size in pixels.</summary>
public sealed record ImageInfo(string Format, int Width, int Height);
