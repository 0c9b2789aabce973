namespace MlOps.AuthService.Clients;

public sealed record CreateClientRequest(string? ClientId, string? DisplayName, string[]? Scopes);

public sealed record ClientResponse(string ClientId, string DisplayName, IReadOnlyList<string> Scopes, bool Disabled, DateTimeOffset CreatedAt, DateTimeOffset SecretRotatedAt);

/// <summary>A client with its secret: answered once, at creation or rotation, and never again.</summary>
public sealed record ClientWithSecretResponse(string ClientId, string DisplayName, IReadOnlyList<string> Scopes, string ClientSecret);
