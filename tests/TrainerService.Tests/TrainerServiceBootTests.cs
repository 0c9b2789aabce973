using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests;

public sealed class TrainerServiceBootTests(PostgresFixture postgres) : ServiceBootTests<Program>(postgres)
{
    protected override string Schema => "trainer";
}
