using System.Reflection;

namespace MlOps.ServiceDefaults.Database;

/// <summary>The ordered SQL scripts that build one service's schema, read from embedded resources.</summary>
public sealed class SchemaMigrations(string schema, Assembly assembly)
{
    public string Schema { get; } = schema;

    /// <summary>Set once every script has been applied; readiness waits on it.</summary>
    public TaskCompletionSource Applied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<(string Id, string Sql)> Load()
    {
        var scripts = new List<(string Id, string Sql)>();
        foreach (var resource in assembly.GetManifestResourceNames()
                     .Where(name => name.Contains(".Migrations.", StringComparison.Ordinal)
                         && name.EndsWith(".sql", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var id = resource[(resource.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..^".sql".Length];
            scripts.Add((id, reader.ReadToEnd()));
        }

        return scripts;
    }
}
