using Microsoft.Extensions.Options;

namespace MlOps.Artifacts;

/// <summary>Says precisely which configuration key is missing or wrong, so a misconfigured service fails at start-up.</summary>
public sealed class ArtifactStoreOptionsValidator : IValidateOptions<ArtifactStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, ArtifactStoreOptions options)
    {
        var failures = new List<string>();
        if (IsStore(options, ArtifactStoreOptions.FileSystemStore))
        {
            if (string.IsNullOrWhiteSpace(options.Root))
            {
                failures.Add("Artifacts:Root (the artifact folder) is required when Artifacts:Store is FileSystem.");
            }
        }
        else if (IsStore(options, ArtifactStoreOptions.S3Store))
        {
            ValidateS3(options.S3, failures);
        }
        else
        {
            failures.Add($"Artifacts:Store must be 'FileSystem' or 'S3', not '{options.Store}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsStore(ArtifactStoreOptions options, string store) =>
        string.Equals(options.Store?.Trim(), store, StringComparison.OrdinalIgnoreCase);

    private static void ValidateS3(S3ArtifactStoreOptions s3, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(s3.Bucket))
        {
            failures.Add("Artifacts:S3:Bucket is required when Artifacts:Store is S3.");
        }

        if (string.IsNullOrWhiteSpace(s3.AccessKey) != string.IsNullOrWhiteSpace(s3.SecretKey))
        {
            failures.Add("Artifacts:S3:AccessKey and Artifacts:S3:SecretKey must be set together (or both left unset for the default AWS credentials).");
        }

        if (!string.IsNullOrWhiteSpace(s3.ServiceUrl) && !Uri.TryCreate(s3.ServiceUrl, UriKind.Absolute, out _))
        {
            failures.Add($"Artifacts:S3:ServiceUrl must be an absolute URL, not '{s3.ServiceUrl}'.");
        }

        if (string.IsNullOrWhiteSpace(s3.ServiceUrl) && string.IsNullOrWhiteSpace(s3.Region))
        {
            failures.Add("Artifacts:S3:Region is required when Artifacts:S3:ServiceUrl is not set.");
        }

        if (s3.PartSize < S3ArtifactStoreOptions.MinimumPartSize)
        {
            failures.Add($"Artifacts:S3:PartSize must be at least {S3ArtifactStoreOptions.MinimumPartSize} bytes (5 MiB), not {s3.PartSize}.");
        }

        var prefix = s3.Prefix?.Trim('/');
        if (!string.IsNullOrEmpty(prefix) && ArtifactKey.Problem(prefix) is { } problem)
        {
            failures.Add($"Artifacts:S3:Prefix '{s3.Prefix}' is not a valid key prefix: {problem}");
        }
    }
}
