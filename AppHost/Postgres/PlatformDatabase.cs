namespace MlOps.AppHost.Postgres;

/// <summary>
/// The platform's database as services see it: the <c>mlopsdb</c> connection string they reference, and the resource
/// they wait for (the database of the container, or the server run from the machine's binaries).
/// </summary>
internal sealed record PlatformDatabase(IResourceBuilder<IResourceWithConnectionString> ConnectionString, IResourceBuilder<IResource> Server);
