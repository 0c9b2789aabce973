namespace MlOps.AppHost.Startup;

/// <summary>
/// What the console tells a person about this start: where the gateway answers, where data lives, the admin password
/// when it was made now (the only time it is shown), and what was left out of the app model and why.
/// </summary>
/// <param name="Watched">The resources that must be healthy for the platform to be ready, and that come back when they crash.</param>
internal sealed record StartupFacts(
    Uri Gateway,
    string Home,
    string? NewAdminPassword,
    IReadOnlyList<string> Notices,
    IReadOnlyList<string> Watched);
