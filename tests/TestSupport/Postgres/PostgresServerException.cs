namespace MlOps.TestSupport;

/// <summary>The local PostgreSQL server could not be set up, started or stopped; the message says why and what to do.</summary>
public sealed class PostgresServerException : Exception
{
    public PostgresServerException(string message)
        : base(message)
    {
    }

    public PostgresServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
