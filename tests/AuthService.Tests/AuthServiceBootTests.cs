using MlOps.TestSupport;

namespace MlOps.AuthService.Tests;

public sealed class AuthServiceBootTests(PostgresFixture postgres) : ServiceBootTests<Program>(postgres)
{
    protected override string Schema => "auth";
}
