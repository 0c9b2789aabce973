namespace MlOps.Artifacts;

/// <summary>The configuration section <c>Artifacts</c>: which store, and its settings.</summary>
public sealed class ArtifactStoreOptions
{
    public const string SectionName = "Artifacts";
    public const string FileSystemStore = "FileSystem";
    public const string S3Store = "S3";

    /// <summary><c>FileSystem</c> (the default) or <c>S3</c>.</summary>
    public string Store { get; set; } = FileSystemStore;

    /// <summary>The root folder of the file-system store.</summary>
    public string? Root { get; set; }

    public S3ArtifactStoreOptions S3 { get; set; } = new();
}

/// <summary>The section <c>Artifacts:S3</c>.</summary>
public sealed class S3ArtifactStoreOptions
{
    public const int MinimumPartSize = 5 * 1024 * 1024;
    public const int DefaultPartSize = 16 * 1024 * 1024;

    /// <summary>The endpoint of an S3-compatible server (e.g. <c>http://127.0.0.1:9000</c>); unset for AWS itself.</summary>
    public string? ServiceUrl { get; set; }

    public string? Bucket { get; set; }

    /// <summary>The region the requests are signed for (and, without a ServiceUrl, the AWS region).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>With <see cref="SecretKey"/>; both unset means the SDK's default credential chain.</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Path-style addressing (<c>host/bucket/key</c>), which most S3-compatible servers need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>A key prefix (e.g. <c>mlops</c>) under which every object of this store lives.</summary>
    public string? Prefix { get; set; }

    /// <summary>Part size of multipart uploads, and the size above which an upload is multipart (at least 5 MiB).</summary>
    public int PartSize { get; set; } = DefaultPartSize;
}
