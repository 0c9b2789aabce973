using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Artifacts.FileSystem;
using MlOps.Artifacts.S3;

namespace MlOps.Artifacts;

public static class ArtifactStoreExtensions
{
    /// <summary>
    /// Registers the <see cref="IArtifactStore"/> chosen by the configuration section <c>Artifacts</c> as a singleton.
    /// Incomplete configuration fails the host's start with a message naming the missing keys.
    /// </summary>
    public static IHostApplicationBuilder AddArtifactStore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddArtifactStore(builder.Configuration.GetSection(ArtifactStoreOptions.SectionName));
        return builder;
    }

    /// <summary>The same, for a plain service collection and a configuration section of the caller's choice.</summary>
    public static IServiceCollection AddArtifactStore(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration section)
    {
        services.AddOptions<ArtifactStoreOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ArtifactStoreOptions>, ArtifactStoreOptionsValidator>());
        services.TryAddSingleton<IArtifactStore>(provider => Create(
            provider.GetRequiredService<IOptions<ArtifactStoreOptions>>().Value,
            provider.GetService<ILoggerFactory>()));
        return services;
    }

    /// <summary>The store the options describe (validated first).</summary>
    public static IArtifactStore Create(ArtifactStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ArtifactStoreOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(ArtifactStoreOptions), typeof(ArtifactStoreOptions), result.Failures);
        }

        return ArtifactStoreOptionsValidator.IsStore(options, ArtifactStoreOptions.S3Store)
            ? new S3ArtifactStore(options.S3, loggerFactory?.CreateLogger<S3ArtifactStore>())
            : new FileSystemArtifactStore(options.Root!);
    }
}
