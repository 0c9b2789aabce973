namespace MlOps.Clients;

/// <summary>
/// Another platform service could not answer a call: unreachable, or it answered an error of its own. Callers turn it
/// into 503 with this message as the detail, so a person reading the answer learns which service failed and how.
/// </summary>
public sealed class ServiceUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
