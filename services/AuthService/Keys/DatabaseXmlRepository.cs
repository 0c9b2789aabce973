using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using MlOps.ServiceDefaults.Database;
using Npgsql;

namespace MlOps.AuthService.Keys;

/// <summary>
/// Data Protection's key ring in <c>auth.data_protection_keys</c>, so every replica protects and unprotects with the
/// same keys (the signing keys' private parts among them).
/// <para>
/// Limitation: Data Protection hands this repository its keys as plain XML unless a key encryptor is configured; here
/// that is a certificate (<c>DataProtection:CertificatePath</c>, see <see cref="SigningKeysExtensions"/>). Without one,
/// anyone who can read this table can unprotect the signing keys: restrict access to the <c>auth</c> schema.
/// </para>
/// </summary>
internal sealed class DatabaseXmlRepository(NpgsqlDataSource dataSource, SchemaMigrations migrations) : IXmlRepository
{
    private const string Table = "auth.data_protection_keys";

    /// <summary>How long a caller waits for the schema migrator to create the table before giving up.</summary>
    private static readonly TimeSpan SchemaWait = TimeSpan.FromSeconds(15);

    // Data Protection's repository contract is synchronous; it calls it rarely (key ring loads, about once a day).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        WaitForSchema();
        using var command = dataSource.CreateCommand($"SELECT xml FROM {Table} ORDER BY id");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        WaitForSchema();
        using var command = dataSource.CreateCommand(
            $"INSERT INTO {Table} (friendly_name, xml) VALUES (@friendly_name, @xml) ON CONFLICT (friendly_name) DO NOTHING");
        command.Parameters.AddWithValue("friendly_name", string.IsNullOrWhiteSpace(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }

    private void WaitForSchema()
    {
        if (!migrations.Applied.Task.Wait(SchemaWait))
        {
            throw new InvalidOperationException($"The table {Table} does not exist yet: the auth schema is still being migrated.");
        }
    }
}
