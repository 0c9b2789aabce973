using MlOps.AppHost.Local;
using MlOps.TestSupport;

namespace MlOps.AppHost.Tests;

public sealed class LocalSecretTests : IDisposable
{
    private readonly TemporaryDirectory _directory = TemporaryDirectory.Create("mlops-password-");

    private string File => _directory.Combine("admin-password");

    [Fact]
    public async Task Is_generated_once_stored_for_its_owner_only_and_read_back_afterwards()
    {
        var first = await LocalSecret.ResolveAsync(configured: null, File, "MLOPS_ADMIN_PASSWORD", CancellationToken.None);
        Assert.Equal(LocalSecretSource.Generated, first.Source);
        Assert.Equal(first.Value, (await System.IO.File.ReadAllTextAsync(File)).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(File));

        var second = await LocalSecret.ResolveAsync(configured: null, File, "MLOPS_ADMIN_PASSWORD", CancellationToken.None);
        Assert.Equal(LocalSecretSource.Stored, second.Source);
        Assert.Equal(first.Value, second.Value);
    }

    [Fact]
    public async Task Comes_from_the_configuration_when_given_and_is_then_not_stored()
    {
        var password = await LocalSecret.ResolveAsync("given-by-the-operator", File, "MLOPS_ADMIN_PASSWORD", CancellationToken.None);

        Assert.Equal(new LocalSecret("given-by-the-operator", LocalSecretSource.Environment), password);
        Assert.False(System.IO.File.Exists(File));
    }

    [Fact]
    public void Generated_passwords_are_long_mixed_and_different()
    {
        var passwords = Enumerable.Range(0, 50).Select(_ => LocalSecret.Generate()).ToList();

        Assert.All(passwords, password =>
        {
            Assert.Equal(32, password.Length);
            Assert.Contains(password, char.IsUpper);
            Assert.Contains(password, char.IsLower);
            Assert.Contains(password, char.IsDigit);
        });
        Assert.Equal(passwords.Count, passwords.Distinct().Count());
    }

    [Fact]
    public async Task An_empty_stored_file_is_an_error_that_says_what_to_do()
    {
        await System.IO.File.WriteAllTextAsync(File, "\n");

        var error = await Assert.ThrowsAsync<LauncherException>(() => LocalSecret.ResolveAsync(null, File, "MLOPS_ADMIN_PASSWORD", CancellationToken.None));
        Assert.Contains("Delete it", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
