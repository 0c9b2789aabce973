namespace MlOps.AuthService.Tokens;

/// <summary>One refresh token, known only by its hash; its family is every token rotated from the same sign-in.</summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }

    public required string TokenHash { get; set; }

    public Guid FamilyId { get; set; }

    public Guid UserId { get; set; }

    public string? ClientId { get; set; }

    public required string Scope { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? ConsumedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
