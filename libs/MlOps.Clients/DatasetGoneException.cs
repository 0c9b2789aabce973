namespace MlOps.Clients;

/// <summary>The dataset version asked for was deleted after the caller learned of it (a job accepted before the delete).</summary>
public sealed class DatasetGoneException(string message) : Exception(message);
