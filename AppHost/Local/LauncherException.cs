namespace MlOps.AppHost.Local;

/// <summary>The platform could not start; the message says why and what to do, and is all the user sees.</summary>
internal sealed class LauncherException(string message) : Exception(message);
