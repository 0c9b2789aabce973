namespace MlOps.Learning.Data;

/// <summary>Input data the library cannot use; the message names the column or line and says what is wrong.</summary>
public sealed class DataException : Exception
{
    public DataException(string message)
        : base(message)
    {
    }

    public DataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DataException()
    {
    }
}
