namespace MlOps.AuthService.Clients;

/// <summary>
/// A new client. <c>type</c> is <c>confidential</c> (the default: it has a secret) or <c>public</c> (no secret: a
/// command-line tool or an app in a browser, which use the device or authorization-code flow). <c>redirectUris</c>
/// allow the authorization-code flow with PKCE to answer to those exact addresses.
/// </summary>
public sealed record CreateClientRequest(string? ClientId, string? DisplayName, string[]? Scopes, string? Type = null, string[]? RedirectUris = null);

public sealed record ClientResponse(
    string ClientId,
    string DisplayName,
    IReadOnlyList<string> Scopes,
    bool Disabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset SecretRotatedAt,
    string Type,
    IReadOnlyList<string> RedirectUris);

/// <summary>A client with its secret: answered once, at creation or rotation, and never again (null for a public client).</summary>
public sealed record ClientWithSecretResponse(string ClientId, string DisplayName, IReadOnlyList<string> Scopes, string? ClientSecret);
