namespace MlOps.AuthService.Bootstrap;

/// <summary>
/// What the first start creates. The admin password comes from <c>MLOPS_ADMIN_PASSWORD</c>; the platform client's id and
/// secret from <c>Auth:Client</c>, the same settings every service uses to get its service-to-service token.
/// </summary>
public sealed class BootstrapOptions
{
    public const string AdminUserName = "admin";

    public string? AdminPassword { get; set; }

    public string? PlatformClientId { get; set; }

    public string? PlatformClientSecret { get; set; }

    public static BootstrapOptions From(IConfiguration configuration) => new()
    {
        AdminPassword = configuration["MLOPS_ADMIN_PASSWORD"],
        PlatformClientId = configuration["Auth:Client:ClientId"],
        PlatformClientSecret = configuration["Auth:Client:ClientSecret"],
    };
}
