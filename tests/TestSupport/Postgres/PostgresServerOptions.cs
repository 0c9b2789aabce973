namespace MlOps.TestSupport;

/// <summary>Where a local PostgreSQL server keeps its data, where it listens and which database it serves.</summary>
public sealed class PostgresServerOptions
{
    /// <summary>The cluster's data folder; created and initialized (initdb) on first use.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>TCP port on 127.0.0.1.</summary>
    public required int Port { get; init; }

    /// <summary>The database created if missing and named by <see cref="PostgresServer.ConnectionString"/>.</summary>
    public required string Database { get; init; }

    /// <summary>The server's own log; defaults to <c>postgres.log</c> next to the data folder.</summary>
    public string? LogFile { get; init; }

    /// <summary>The folder holding initdb, pg_ctl and postgres; found on PATH or under /usr/lib/postgresql when unset.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>PostgreSQL's <c>max_connections</c> when set (its default, 100, otherwise).</summary>
    public int? MaxConnections { get; init; }

    /// <summary>How long pg_ctl waits for the server to accept connections (and to stop).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
