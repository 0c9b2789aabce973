namespace MlOps.TrainerService.Registry;

/// <summary>Limits on registering a model made elsewhere (section <c>ModelUploads</c>).</summary>
public sealed class ModelUploadOptions
{
    public const string SectionName = "ModelUploads";

    /// <summary>The largest model file taken (256 MiB): the trainer and every serving replica hold it in memory.</summary>
    public long MaxModelBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>The largest descriptor taken (1 MiB: a thousand inputs fit in a fraction of it).</summary>
    public int MaxDescriptorBytes { get; set; } = 1024 * 1024;
}
