using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MlOps.ServiceConventions.Tests;

/// <summary>Records every log entry with the values of all its scopes, the way a console or OTLP sink sees them.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    internal sealed record LogEntry(string Category, string Message, IReadOnlyDictionary<string, string> ScopeValues, LogLevel Level);

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            provider._scopes.ForEachScope(
                (scope, bag) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object>> pairs)
                    {
                        foreach (var pair in pairs)
                        {
                            bag[pair.Key] = pair.Value?.ToString() ?? string.Empty;
                        }
                    }
                },
                values);
            provider.Entries.Enqueue(new LogEntry(category, formatter(state, exception), values, logLevel));
        }
    }
}
