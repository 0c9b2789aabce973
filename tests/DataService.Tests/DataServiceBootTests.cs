using MlOps.TestSupport;

namespace MlOps.DataService.Tests;

public sealed class DataServiceBootTests(PostgresFixture postgres) : ServiceBootTests<Program>(postgres)
{
    protected override string Schema => "data";
}
