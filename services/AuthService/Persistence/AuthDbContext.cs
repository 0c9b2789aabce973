using Microsoft.EntityFrameworkCore;
using MlOps.AuthService.Clients;
using MlOps.AuthService.Tokens;
using MlOps.AuthService.Users;

namespace MlOps.AuthService.Persistence;

/// <summary>The auth service's tables, all in its own schema; SQL scripts under Migrations/ create them.</summary>
public sealed class AuthDbContext(DbContextOptions<AuthDbContext> options) : DbContext(options)
{
    public const string Schema = "auth";

    public DbSet<User> Users => Set<User>();

    public DbSet<Client> Clients => Set<Client>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<LoginThrottleEntry> LoginThrottle => Set<LoginThrottleEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);

        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.Property(u => u.Id).HasColumnName("id");
            user.Property(u => u.UserName).HasColumnName("user_name");
            user.Property(u => u.NormalizedUserName).HasColumnName("normalized_user_name");
            user.Property(u => u.PasswordHash).HasColumnName("password_hash");
            user.Property(u => u.Roles).HasColumnName("roles");
            user.Property(u => u.Disabled).HasColumnName("disabled");
            user.Property(u => u.CreatedAt).HasColumnName("created_at");
            user.Property(u => u.UpdatedAt).HasColumnName("updated_at");
        });

        modelBuilder.Entity<Client>(client =>
        {
            client.ToTable("clients");
            client.HasKey(c => c.ClientId);
            client.Property(c => c.ClientId).HasColumnName("client_id");
            client.Property(c => c.DisplayName).HasColumnName("display_name");
            client.Property(c => c.SecretHash).HasColumnName("secret_hash");
            client.Property(c => c.Scopes).HasColumnName("scopes");
            client.Property(c => c.Disabled).HasColumnName("disabled");
            client.Property(c => c.CreatedAt).HasColumnName("created_at");
            client.Property(c => c.SecretRotatedAt).HasColumnName("secret_rotated_at");
        });

        modelBuilder.Entity<RefreshToken>(token =>
        {
            token.ToTable("refresh_tokens");
            token.HasKey(t => t.Id);
            token.Property(t => t.Id).HasColumnName("id");
            token.Property(t => t.TokenHash).HasColumnName("token_hash");
            token.Property(t => t.FamilyId).HasColumnName("family_id");
            token.Property(t => t.UserId).HasColumnName("user_id");
            token.Property(t => t.ClientId).HasColumnName("client_id");
            token.Property(t => t.Scope).HasColumnName("scope");
            token.Property(t => t.CreatedAt).HasColumnName("created_at");
            token.Property(t => t.ExpiresAt).HasColumnName("expires_at");
            token.Property(t => t.ConsumedAt).HasColumnName("consumed_at");
            token.Property(t => t.RevokedAt).HasColumnName("revoked_at");
        });

        modelBuilder.Entity<LoginThrottleEntry>(entry =>
        {
            entry.ToTable("login_throttle");
            entry.HasKey(e => e.Key);
            entry.Property(e => e.Key).HasColumnName("key");
            entry.Property(e => e.Failures).HasColumnName("failures");
            entry.Property(e => e.WindowStartedAt).HasColumnName("window_started_at");
            entry.Property(e => e.LockedUntil).HasColumnName("locked_until");
            entry.Property(e => e.Lockouts).HasColumnName("lockouts");
        });
    }
}
