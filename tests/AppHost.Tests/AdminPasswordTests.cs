using MlOps.AppHost.Local;
using MlOps.TestSupport;

namespace MlOps.AppHost.Tests;

public sealed class AdminPasswordTests : IDisposable
{
    private readonly TemporaryDirectory _directory = TemporaryDirectory.Create("mlops-password-");

    private string File => _directory.Combine("admin-password");

    [Fact]
    public async Task Is_generated_once_stored_for_its_owner_only_and_read_back_afterwards()
    {
        var first = await AdminPassword.ResolveAsync(configured: null, File, CancellationToken.None);
        Assert.Equal(AdminPasswordSource.Generated, first.Source);
        Assert.Equal(first.Value, (await System.IO.File.ReadAllTextAsync(File)).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(File));

        var second = await AdminPassword.ResolveAsync(configured: null, File, CancellationToken.None);
        Assert.Equal(AdminPasswordSource.Stored, second.Source);
        Assert.Equal(first.Value, second.Value);
    }

    [Fact]
    public async Task Comes_from_the_configuration_when_given_and_is_then_not_stored()
    {
        var password = await AdminPassword.ResolveAsync("given-by-the-operator", File, CancellationToken.None);

        Assert.Equal(new AdminPassword("given-by-the-operator", AdminPasswordSource.Environment), password);
        Assert.False(System.IO.File.Exists(File));
    }

    [Fact]
    public void Generated_passwords_are_long_mixed_and_different()
    {
        var passwords = Enumerable.Range(0, 50).Select(_ => AdminPassword.Generate()).ToList();

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

        var error = await Assert.ThrowsAsync<LauncherException>(() => AdminPassword.ResolveAsync(null, File, CancellationToken.None));
        Assert.Contains("Delete it", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
