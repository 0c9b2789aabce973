namespace MlOps.MonitoringService.Upstream;

/// <summary>The trainer or serving could not answer: a check cannot run now (503), and nothing is stored.</summary>
public sealed class UpstreamUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
