namespace MlOps.Learning.Models;

/// <summary>A model file this library cannot read: not a model, damaged, or written by a newer version.</summary>
public sealed class ModelFormatException : Exception
{
    public ModelFormatException(string message)
        : base(message)
    {
    }

    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ModelFormatException()
    {
    }
}
