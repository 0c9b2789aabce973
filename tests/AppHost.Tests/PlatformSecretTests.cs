using Aspire.Hosting;
using MlOps.AppHost.Hosting;
using MlOps.AppHost.Secrets;
using MlOps.TestSupport;
using Microsoft.Extensions.Configuration;

namespace MlOps.AppHost.Tests;

public sealed class PlatformSecretTests : IDisposable
{
    private readonly TemporaryDirectory _home = TemporaryDirectory.Create("mlops-secrets-");

    [Fact]
    public void The_first_start_generates_one_kept_for_its_owner_only_and_later_starts_read_it_back()
    {
        var first = Add(_ => { });
        var second = Add(_ => { });

        Assert.True(first.GeneratedNow);
        Assert.Equal(32, first.Value.Length);
        Assert.False(second.GeneratedNow);
        Assert.Equal(first.Value, second.Value);
        var file = _home.Combine("admin-password");
        Assert.Equal(first.Value, File.ReadAllText(file).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void A_configured_parameter_wins_and_nothing_is_written()
    {
        var secret = Add(configuration => configuration["Parameters:admin-password"] = "given-by-me");

        Assert.Equal("given-by-me", secret.Value);
        Assert.False(secret.GeneratedNow);
        Assert.False(File.Exists(_home.Combine("admin-password")));
    }

    [Fact]
    public void An_empty_kept_secret_is_refused_with_the_fix()
    {
        File.WriteAllText(_home.Combine("admin-password"), "\n");

        var failure = Assert.Throws<PlatformStartException>(() => Add(_ => { }));

        Assert.Equal($"{_home.Combine("admin-password")} is empty: delete it to have a new secret generated, or set Parameters__admin-password.", failure.Message);
    }

    [Fact]
    public void Generated_secrets_mix_letter_cases_and_digits_and_differ()
    {
        var secrets = Enumerable.Range(0, 50).Select(_ => PlatformSecret.Generate()).ToList();

        Assert.All(secrets, s => Assert.True(s.Any(char.IsUpper) && s.Any(char.IsLower) && s.Any(char.IsDigit), s));
        Assert.Equal(secrets.Count, secrets.Distinct(StringComparer.Ordinal).Count());
    }

    private PlatformSecret Add(Action<IConfiguration> configure)
    {
        var builder = DistributedApplication.CreateBuilder([]);
        builder.Configuration["MlOps:Home"] = _home.Path;
        builder.Configuration["MlOps:Containers"] = "false";
        configure(builder.Configuration);
        var platform = PlatformOptions.From(builder.Configuration, builder.AppHostDirectory, isPublishMode: false);
        return PlatformSecret.Add(builder, "admin-password", platform);
    }

    public void Dispose() => _home.Dispose();
}
