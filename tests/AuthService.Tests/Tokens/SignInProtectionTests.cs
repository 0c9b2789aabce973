using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MlOps.AuthService.Users;
using MlOps.AuthService.Tests.Keys;
using MlOps.TestSupport;

namespace MlOps.AuthService.Tests.Tokens;

public sealed class SignInProtectionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly string[] DataScientist = ["data-scientist"];

    [Fact]
    public async Task Five_failures_lock_the_account_even_for_the_right_password_until_the_lock_ends()
    {
        var clock = ManualTimeProvider.StartingNow();
        await using var host = await TokenServiceHost.StartAsync(postgres, clock);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("invalid_grant", (await SignInAsync(host, "wrong password " + i)).Error);
        }

        var whileLocked = await SignInAsync(host, TokenServiceHost.AdminPassword);
        clock.Advance(TimeSpan.FromSeconds(61));
        var afterLock = await SignInAsync(host, TokenServiceHost.AdminPassword);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (whileLocked.Status, whileLocked.Error));
        Assert.Equal(HttpStatusCode.OK, afterLock.Status);
    }

    [Fact]
    public async Task A_locked_sign_in_checks_the_password_like_any_other_so_its_time_does_not_show_the_lock()
    {
        var hasher = new CountingPasswordHasher();
        await using var host = await TokenServiceHost.StartAsync(
            postgres, testServices: services => services.AddSingleton<IPasswordHasher<User>>(hasher));
        var atStart = hasher.Verifications;
        await SignInAsync(host, "wrong password");
        var perAttempt = hasher.Verifications - atStart;
        for (var i = 0; i < 4; i++)
        {
            await SignInAsync(host, "wrong password " + i);
        }

        var beforeLocked = hasher.Verifications;
        var locked = await SignInAsync(host, "wrong again");
        var lockedRight = await SignInAsync(host, TokenServiceHost.AdminPassword);

        Assert.Equal(1, perAttempt);
        Assert.Equal(("invalid_grant", "invalid_grant"), (locked.Error, lockedRight.Error));
        Assert.Equal(beforeLocked + 2, hasher.Verifications);
    }

    [Fact]
    public async Task Each_new_lock_lasts_twice_as_long()
    {
        var clock = ManualTimeProvider.StartingNow();
        await using var host = await TokenServiceHost.StartAsync(postgres, clock);
        for (var i = 0; i < 5; i++)
        {
            await SignInAsync(host, "wrong");
        }

        clock.Advance(TimeSpan.FromSeconds(61));
        for (var i = 0; i < 5; i++)
        {
            await SignInAsync(host, "wrong");
        }

        clock.Advance(TimeSpan.FromSeconds(61));
        var stillLocked = await SignInAsync(host, TokenServiceHost.AdminPassword);
        clock.Advance(TimeSpan.FromSeconds(60));
        var released = await SignInAsync(host, TokenServiceHost.AdminPassword);

        Assert.Equal("invalid_grant", stillLocked.Error);
        Assert.Equal(HttpStatusCode.OK, released.Status);
    }

    [Fact]
    public async Task A_disabled_user_is_refused_and_its_refresh_tokens_stop_working()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        using var admin = await host.AdminClientAsync();
        (await admin.PostAsJsonAsync("/api/auth/users", new { userName = "erin", password = "erins long password", roles = DataScientist })).EnsureSuccessStatusCode();
        var refresh = (await host.PasswordTokenAsync("erin", "erins long password")).GetProperty("refresh_token").GetString()!;

        (await admin.PostAsync("/api/auth/users/erin/disable", null)).EnsureSuccessStatusCode();
        var signIn = await TokenEndpointTests.ErrorAsync(host, new() { ["grant_type"] = "password", ["username"] = "erin", ["password"] = "erins long password" });
        var refreshed = await TokenEndpointTests.ErrorAsync(host, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh });

        Assert.Equal("invalid_grant", signIn.Error);
        Assert.Equal("invalid_grant", refreshed.Error);
    }

    [Fact]
    public async Task A_disabled_client_is_refused()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        using var admin = await host.AdminClientAsync();

        (await admin.PostAsync($"/api/auth/clients/{TokenServiceHost.PlatformClientId}/disable", null)).EnsureSuccessStatusCode();
        using var response = await host.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" },
            (TokenServiceHost.PlatformClientId, TokenServiceHost.PlatformClientSecret));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_token_endpoint_has_its_own_rate_limit()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres, requestsPerMinute: 3);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await SignInAsync(host, "wrong")).Status);
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Failures_on_the_sign_in_page_lock_the_account_for_the_password_grant_too_and_share_its_rate_limit()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres, requestsPerMinute: 7);
        using var browser = Flows.BrowserSession.Open(host);
        using var page = await browser.BrowseAsync("/connect/signin");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var refused = await browser.SubmitAsync(page, new Dictionary<string, string> { ["userName"] = "admin", ["password"] = "wrong " + i });
            statuses.Add(refused.StatusCode);
        }

        var locked = await SignInAsync(host, TokenServiceHost.AdminPassword);
        using var limited = await browser.SubmitAsync(page, new Dictionary<string, string> { ["userName"] = "admin", ["password"] = "wrong" });
        using var limitedToken = await host.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "password" });

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (locked.Status, locked.Error));
        Assert.Equal(HttpStatusCode.Unauthorized, limited.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, limitedToken.StatusCode);
    }

    /// <summary>Identity's hasher, counting how often a password is checked.</summary>
    private sealed class CountingPasswordHasher : IPasswordHasher<User>
    {
        private readonly PasswordHasher<User> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(User user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    private static async Task<(HttpStatusCode Status, string? Error)> SignInAsync(TokenServiceHost host, string password)
    {
        using var response = await host.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "admin", ["password"] = password,
        });
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return (response.StatusCode, body.TryGetProperty("error", out var error) ? error.GetString() : null);
    }
}
