namespace MlOps.AppHost.Hosting;

/// <summary>
/// Something outside the platform keeps it from starting (a port taken, a program missing, a folder out of reach).
/// Its message is one sentence naming the cause and the fix; the AppHost prints it instead of a stack trace.
/// </summary>
internal sealed class PlatformStartException(string message) : Exception(message);
