namespace MlOps.AuthService.Clients;

/// <summary>An application (or a platform service) that authenticates with its id and secret.</summary>
public sealed class Client
{
    public required string ClientId { get; set; }

    public required string DisplayName { get; set; }

    public required string SecretHash { get; set; }

    /// <summary>The most a token for this client may carry.</summary>
    public required string[] Scopes { get; set; }

    public bool Disabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset SecretRotatedAt { get; set; }
}
