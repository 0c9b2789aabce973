using MlOps.TestSupport;

namespace MlOps.ServingService.Tests;

public sealed class ServingServiceBootTests(PostgresFixture postgres) : ServiceBootTests<Program>(postgres)
{
    protected override string Schema => "serving";
}
