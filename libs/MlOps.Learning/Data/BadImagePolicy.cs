namespace MlOps.Learning.Data;

/// <summary>What becomes of an archive's image that cannot be used (damaged, truncated, an unsupported format, too large).</summary>
public enum BadImagePolicy
{
    /// <summary>The whole archive is refused, naming the line and the file (the default).</summary>
    Refuse,

    /// <summary>The value counts as missing; the profile lists the file and why.</summary>
    Missing,
}
