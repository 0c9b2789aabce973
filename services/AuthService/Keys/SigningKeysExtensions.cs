using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using MlOps.AuthService.Keys;

namespace Microsoft.Extensions.Hosting;

public static class SigningKeysExtensions
{
    private const string DataProtectionPreload = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";

    /// <summary>
    /// Data Protection with its key ring in the database, the signing keys (<see cref="ISigningKeys"/>) and their
    /// background rotation. Call after the service database and TokenServiceOptions are registered (AddAuthService does both).
    /// </summary>
    public static void AddSigningKeys(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SigningKeyOptions>()
            .BindConfiguration(SigningKeyOptions.SectionName)
            .Validate(o => SigningKeyMaterial.SupportedAlgorithms.Contains(o.Algorithm), "SigningKeys:Algorithm must be ES256 or RS256.")
            .Validate(o => o.CheckInterval > TimeSpan.Zero && o.CacheDuration >= TimeSpan.Zero, "SigningKeys intervals must be positive.")
            .ValidateOnStart();

        var dataProtection = services.AddDataProtection().SetApplicationName("mlops-auth");
        // The keys in auth.data_protection_keys are plain XML unless a certificate encrypts them (DatabaseXmlRepository).
        var certificatePath = builder.Configuration["DataProtection:CertificatePath"];
        if (!string.IsNullOrWhiteSpace(certificatePath))
        {
            dataProtection.ProtectKeysWithCertificate(
                X509CertificateLoader.LoadPkcs12FromFile(certificatePath, builder.Configuration["DataProtection:CertificatePassword"]));
        }

        services.AddSingleton<DatabaseXmlRepository>();
        services.AddOptions<KeyManagementOptions>()
            .Configure<DatabaseXmlRepository>((options, repository) => options.XmlRepository = repository);

        // Data Protection loads its key ring while the host starts, before the schema migrator has created the table
        // (and forever if the database is down at start); the first protect or unprotect loads it instead.
        foreach (var preload in services.Where(d => d.ImplementationType?.FullName == DataProtectionPreload).ToList())
        {
            services.Remove(preload);
        }

        services.AddSingleton<SigningKeyChanges>();
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddict.Server.OpenIddictServerOptions>>(provider => provider.GetRequiredService<SigningKeyChanges>());
        services.AddSingleton<SigningKeyStore>();
        services.AddSingleton<ISigningKeys>(provider => provider.GetRequiredService<SigningKeyStore>());
        services.AddHostedService<SigningKeyRotation>();
    }
}
