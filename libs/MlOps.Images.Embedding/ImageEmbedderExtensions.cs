using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MlOps.Images.Embedding;

public static class ImageEmbedderExtensions
{
    /// <summary>
    /// Registers the <see cref="ImageEmbedder"/> as a singleton configured by the section <c>Images</c>
    /// (<see cref="ImageEncoderOptions"/>); the encoder itself loads on its first picture.
    /// </summary>
    public static IHostApplicationBuilder AddImageEmbedder(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ImageEncoderOptions>()
            .BindConfiguration(ImageEncoderOptions.SectionName)
            .Validate(o => o.BatchSize is >= 1 and <= 256 && o.IntraOpThreads >= 0, "Images:BatchSize must be 1 to 256 and Images:IntraOpThreads 0 or more.")
            .ValidateOnStart();
        builder.Services.AddSingleton(provider => new ImageEmbedder(provider.GetRequiredService<IOptions<ImageEncoderOptions>>().Value));
        return builder;
    }
}
