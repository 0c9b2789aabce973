using Microsoft.EntityFrameworkCore;
using MlOps.MonitoringService.Persistence;

namespace MlOps.MonitoringService.Policies;

/// <summary>A model's policy as checks use it: the one set, or the defaults.</summary>
public sealed class PolicyStore(MonitoringDbContext db)
{
    public async Task<ModelPolicy> GetAsync(string model, CancellationToken cancellationToken) =>
        (await db.Policies.AsNoTracking().SingleOrDefaultAsync(p => p.Model == model, cancellationToken))?.ToPolicy() ?? ModelPolicy.Default;
}
