using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MlOps.AuthService.Persistence;
using MlOps.AuthService.Tokens;
using MlOps.ServiceConventions.Paging;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace MlOps.AuthService.Clients;

/// <summary>
/// Clients are OpenIddict applications with a <c>scp:</c> permission per scope. A confidential one (with a secret) may
/// use the client-credentials, password, refresh-token and device grants, revoke and introspect its tokens; a public one
/// (no secret: a CLI, an app in a browser) the device and refresh-token grants and revocation. Either may use the
/// authorization-code flow (always with PKCE) when it has redirect URIs. What OpenIddict has no field for (disabled,
/// when it was made, when its secret last changed) is kept in its properties. Secrets are hashed by OpenIddict's manager.
/// </summary>
internal sealed class ClientApplications(IOpenIddictApplicationManager manager, AuthDbContext db, TimeProvider time)
{
    private const string DisabledProperty = "disabled";
    private const string CreatedAtProperty = "created_at";
    private const string SecretRotatedAtProperty = "secret_rotated_at";

    public async Task<ClientResponse?> FindAsync(string clientId, CancellationToken cancellationToken) =>
        await manager.FindByClientIdAsync(clientId, cancellationToken) is { } application
            ? await ResponseAsync(application, cancellationToken)
            : null;

    public async Task<Page<ClientResponse>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var query = db.Applications.AsNoTracking().OrderBy(application => application.ClientId).AsQueryable();
        if (page.After is not null)
        {
            query = query.Where(application => application.ClientId!.CompareTo(page.After) > 0);
        }

        var rows = await query.Take(page.Limit + 1).ToListAsync(cancellationToken);
        var items = new List<ClientResponse>(Math.Min(rows.Count, page.Limit));
        foreach (var application in rows.Take(page.Limit))
        {
            items.Add(await ResponseAsync(application, cancellationToken));
        }

        return new Page<ClientResponse>(items, rows.Count > page.Limit ? Pages.EncodeCursor(rows[page.Limit - 1].ClientId!) : null);
    }

    /// <summary>A new client, confidential ones with a generated secret (answered this once), or null when the id is taken.</summary>
    public async Task<ClientWithSecretResponse?> CreateAsync(
        string clientId, string displayName, IReadOnlyList<string> scopes, string type, IReadOnlyList<string> redirectUris, CancellationToken cancellationToken)
    {
        if (await manager.FindByClientIdAsync(clientId, cancellationToken) is not null)
        {
            return null;
        }

        var secret = type == ClientTypes.Confidential ? Secrets.New() : null;
        await manager.CreateAsync(Descriptor(clientId, displayName, scopes, secret, redirectUris), cancellationToken);
        return new ClientWithSecretResponse(clientId, displayName, scopes, secret);
    }

    /// <summary>Makes the public client exist with these scopes (the bootstrap's command-line client); true when it was created.</summary>
    public async Task<bool> EnsurePublicAsync(string clientId, string displayName, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        if (await manager.FindByClientIdAsync(clientId, cancellationToken) is not null)
        {
            return false;
        }

        await manager.CreateAsync(Descriptor(clientId, displayName, scopes, secret: null, redirectUris: []), cancellationToken);
        return true;
    }

    /// <summary>Makes the client exist with this secret and these scopes (the bootstrap's platform client); true when it changed.</summary>
    public async Task<bool> EnsureAsync(string clientId, string displayName, IReadOnlyList<string> scopes, string secret, CancellationToken cancellationToken)
    {
        var application = await manager.FindByClientIdAsync(clientId, cancellationToken);
        if (application is null)
        {
            await manager.CreateAsync(Descriptor(clientId, displayName, scopes, secret, redirectUris: []), cancellationToken);
            return true;
        }

        if (await manager.ValidateClientSecretAsync(application, secret, cancellationToken))
        {
            return false;
        }

        await UpdatePropertyAsync(application, SecretRotatedAtProperty, time.GetUtcNow(), cancellationToken);
        await manager.UpdateAsync(application, secret, cancellationToken);
        return true;
    }

    public async Task<ClientResponse?> SetDisabledAsync(string clientId, bool disabled, CancellationToken cancellationToken)
    {
        if (await manager.FindByClientIdAsync(clientId, cancellationToken) is not { } application)
        {
            return null;
        }

        await UpdatePropertyAsync(application, DisabledProperty, disabled, cancellationToken);
        return await ResponseAsync(application, cancellationToken);
    }

    /// <summary>A new secret for the client (answered this once), or null when there is no such client.</summary>
    public async Task<ClientWithSecretResponse?> RotateSecretAsync(string clientId, CancellationToken cancellationToken)
    {
        if (await manager.FindByClientIdAsync(clientId, cancellationToken) is not { } application)
        {
            return null;
        }

        var secret = Secrets.New();
        await UpdatePropertyAsync(application, SecretRotatedAtProperty, time.GetUtcNow(), cancellationToken);
        await manager.UpdateAsync(application, secret, cancellationToken);
        var response = await ResponseAsync(application, cancellationToken);
        return new ClientWithSecretResponse(response.ClientId, response.DisplayName, response.Scopes, secret);
    }

    /// <summary>What the token endpoint needs of an authenticated client: whether it may ask, and for which scopes.</summary>
    public async Task<(bool Disabled, HashSet<string> Scopes)> GetGrantAsync(string clientId, CancellationToken cancellationToken)
    {
        var application = await manager.FindByClientIdAsync(clientId, cancellationToken)
            ?? throw new InvalidOperationException($"The client '{clientId}' was authenticated but is gone.");
        var response = await ResponseAsync(application, cancellationToken);
        return (response.Disabled, response.Scopes.ToHashSet(StringComparer.Ordinal));
    }

    private OpenIddictApplicationDescriptor Descriptor(
        string clientId, string displayName, IReadOnlyList<string> scopes, string? secret, IReadOnlyList<string> redirectUris)
    {
        var now = JsonSerializer.SerializeToElement(time.GetUtcNow());
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = secret is null ? ClientTypes.Public : ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = displayName,
        };
        descriptor.Permissions.UnionWith(
        [
            Permissions.Endpoints.Token,
            Permissions.Endpoints.Revocation,
            Permissions.Endpoints.DeviceAuthorization,
            Permissions.GrantTypes.DeviceCode,
            Permissions.GrantTypes.RefreshToken,
        ]);
        if (secret is not null)
        {
            descriptor.Permissions.UnionWith(
                [Permissions.Endpoints.Introspection, Permissions.GrantTypes.ClientCredentials, Permissions.GrantTypes.Password]);
        }

        if (redirectUris.Count > 0)
        {
            descriptor.Permissions.UnionWith(
                [Permissions.Endpoints.Authorization, Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code]);
            descriptor.RedirectUris.UnionWith(redirectUris.Select(uri => new Uri(uri, UriKind.Absolute)));
        }

        descriptor.Permissions.UnionWith(scopes.Select(scope => Permissions.Prefixes.Scope + scope));
        descriptor.Properties[DisabledProperty] = JsonSerializer.SerializeToElement(false);
        descriptor.Properties[CreatedAtProperty] = now;
        descriptor.Properties[SecretRotatedAtProperty] = now;
        return descriptor;
    }

    private async Task UpdatePropertyAsync<T>(object application, string name, T value, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor();
        await manager.PopulateAsync(descriptor, application, cancellationToken);
        descriptor.Properties[name] = JsonSerializer.SerializeToElement(value);
        await manager.UpdateAsync(application, descriptor, cancellationToken);
    }

    private async Task<ClientResponse> ResponseAsync(object application, CancellationToken cancellationToken)
    {
        var permissions = await manager.GetPermissionsAsync(application, cancellationToken);
        var properties = await manager.GetPropertiesAsync(application, cancellationToken);
        var clientId = (await manager.GetClientIdAsync(application, cancellationToken))!;
        return new ClientResponse(
            clientId,
            await manager.GetDisplayNameAsync(application, cancellationToken) ?? clientId,
            [.. permissions.Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
                .Select(p => p[Permissions.Prefixes.Scope.Length..]).Order(StringComparer.Ordinal)],
            properties.TryGetValue(DisabledProperty, out var disabled) && disabled.ValueKind == JsonValueKind.True,
            Time(properties, CreatedAtProperty),
            Time(properties, SecretRotatedAtProperty),
            await manager.GetClientTypeAsync(application, cancellationToken) ?? ClientTypes.Confidential,
            [.. (await manager.GetRedirectUrisAsync(application, cancellationToken)).Order(StringComparer.Ordinal)]);
    }

    private static DateTimeOffset Time(ImmutableDictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String
            ? DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : DateTimeOffset.UnixEpoch;
}
