using MlOps.TestSupport;

namespace MlOps.MonitoringService.Tests;

public sealed class MonitoringServiceBootTests(PostgresFixture postgres) : ServiceBootTests<Program>(postgres)
{
    protected override string Schema => "monitoring";
}
