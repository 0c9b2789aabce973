using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MlOps.Artifacts.FileSystem;
using MlOps.Artifacts.S3;
using MlOps.TestSupport;

namespace MlOps.Artifacts.Tests;

/// <summary>The configuration section <c>Artifacts</c> picks the store; incomplete configuration stops the host at start-up.</summary>
public sealed class AddArtifactStoreTests : IDisposable
{
    private readonly TemporaryDirectory _folder = TemporaryDirectory.Create("artifacts-config-");

    public void Dispose() => _folder.Dispose();

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddArtifactStore();
        return builder.Build();
    }

    [Fact]
    public async Task File_system_store_is_the_configured_singleton()
    {
        using var host = Build(new() { ["Artifacts:Store"] = "FileSystem", ["Artifacts:Root"] = _folder.Combine("artifacts") });
        await host.StartAsync();

        var store = Assert.IsType<FileSystemArtifactStore>(host.Services.GetRequiredService<IArtifactStore>());
        Assert.Same(store, host.Services.GetRequiredService<IArtifactStore>());
        Assert.Equal(_folder.Combine("artifacts"), store.Root);
        await host.StopAsync();
    }

    [Fact]
    public async Task S3_store_is_built_from_the_S3_section()
    {
        using var host = Build(new()
        {
            ["Artifacts:Store"] = "s3",
            ["Artifacts:S3:ServiceUrl"] = "http://127.0.0.1:9",
            ["Artifacts:S3:Bucket"] = "mlops-artifacts",
            ["Artifacts:S3:AccessKey"] = "key",
            ["Artifacts:S3:SecretKey"] = "secret",
            ["Artifacts:S3:ForcePathStyle"] = "true",
            ["Artifacts:S3:Prefix"] = "prod",
        });
        await host.StartAsync();

        var store = Assert.IsType<S3ArtifactStore>(host.Services.GetRequiredService<IArtifactStore>());
        Assert.Equal("mlops-artifacts", store.Bucket);
        Assert.Equal("prod/a/b", store.ObjectKey("a/b"));
        await host.StopAsync();
    }

    [Theory]
    [InlineData("FileSystem", null, null, "Artifacts:Root")]
    [InlineData("S3", null, null, "Artifacts:S3:Bucket")]
    [InlineData("S3", "Bucket", "b", "Artifacts:S3:SecretKey")]
    [InlineData("Azure", null, null, "Artifacts:Store must be 'FileSystem' or 'S3'")]
    public async Task Incomplete_configuration_fails_at_start_up_naming_the_key(string store, string? key, string? value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Artifacts:Store"] = store };
        if (key is not null)
        {
            settings[$"Artifacts:S3:{key}"] = value;
            settings["Artifacts:S3:AccessKey"] = "only-the-access-key";
        }

        using var host = Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_section_defaults_to_the_file_system_store_and_asks_for_its_root()
    {
        var error = Assert.Throws<OptionsValidationException>(() => ArtifactStoreExtensions.Create(new ArtifactStoreOptions()));

        Assert.Contains("Artifacts:Root", error.Message, StringComparison.Ordinal);
    }
}
