using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MlOps.Artifacts;
using MlOps.Contracts.Datasets;
using MlOps.DataService.Persistence;
using MlOps.Learning.Data;
using MlOps.Learning.Profiling;
using Microsoft.Extensions.Options;

namespace MlOps.DataService.Datasets;

/// <summary>
/// The outcome of adding content to a dataset: a new version, the existing one with that content, or why not
/// (<see cref="Problem"/>, under <see cref="ProblemTitle"/>).
/// </summary>
internal sealed record AddOutcome(DatasetVersion? Version, bool Created, string? Problem, string? ProblemTitle = null);

/// <summary>
/// Turns a stream of CSV, or of a zip archive of one CSV and its images, into a dataset version: the bytes go to the
/// artifact store under a content address while their SHA-256 is computed, then are read back to be validated and
/// profiled (an archive's every image decoded), and only then registered. Content the dataset already has gives its
/// existing version; invalid content is deleted again, so a failed or aborted upload leaves neither an object nor a row.
/// </summary>
internal sealed class DatasetVersions(DataDbContext db, IArtifactStore store, IOptions<DatasetOptions> options, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<AddOutcome> AddAsync(
        string name, Stream content, string source, BadImagePolicy badImages, CancellationToken cancellationToken)
    {
        var stored = await store.PutContentAddressedAsync($"datasets/{name}", content, cancellationToken);
        var existing = await FindBySha256Async(name, stored.Sha256, cancellationToken);
        if (existing is not null)
        {
            return new AddOutcome(existing, false, null);
        }

        var format = DatasetFormats.Csv;
        DatasetProfile profile;
        try
        {
            format = await FormatOfAsync(stored.Key, cancellationToken);
            profile = await Task.Run(() => ProfileAsync(stored.Key, format, badImages, cancellationToken), cancellationToken);
        }
        catch (DataException exception)
        {
            await store.DeleteAsync(stored.Key, CancellationToken.None);
            return new AddOutcome(null, false, exception.Message, format == DatasetFormats.Zip ? "Invalid archive" : "Invalid CSV");
        }
        catch
        {
            await store.DeleteAsync(stored.Key, CancellationToken.None);
            throw;
        }

        return await RegisterAsync(name, stored, format, profile, source, cancellationToken);
    }

    public Task<DatasetVersion?> FindAsync(string name, int? version, CancellationToken cancellationToken)
    {
        var versions = db.Versions.AsNoTracking().Where(v => v.Dataset == name);
        return version is { } number
            ? versions.SingleOrDefaultAsync(v => v.Version == number, cancellationToken)
            : versions.OrderByDescending(v => v.Version).FirstOrDefaultAsync(cancellationToken);
    }

    public static DatasetVersionResponse ToResponse(DatasetVersion version) => new(
        version.Dataset,
        version.Version,
        version.Sha256,
        version.Rows,
        version.SizeBytes,
        JsonSerializer.Deserialize<List<ColumnSchema>>(version.ColumnsJson, Json)!,
        version.Source,
        version.CreatedAt,
        version.Format);

    public static DatasetProfile ProfileOf(DatasetVersion version) =>
        JsonSerializer.Deserialize<DatasetProfile>(version.ProfileJson, Json)!;

    /// <summary>
    /// Deletes a live version: its row becomes a tombstone, then its content leaves the store, both under the dataset's
    /// lock held for the session, so an identical upload registering at that moment cannot point at the removed object.
    /// False when there is no such live version.
    /// </summary>
    public async Task<bool> DeleteAsync(string name, int number, string actor, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_lock(hashtext({LockKey(name)}))", cancellationToken);
            try
            {
                var version = await db.Versions.SingleOrDefaultAsync(v => v.Dataset == name && v.Version == number, cancellationToken);
                if (version is null)
                {
                    return false;
                }

                version.DeletedAt = time.GetUtcNow();
                version.DeletedBy = actor;
                await db.SaveChangesAsync(cancellationToken);
                await store.DeleteAsync(version.ArtifactKey, CancellationToken.None);
                return true;
            }
            finally
            {
                await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_unlock(hashtext({LockKey(name)}))", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string LockKey(string name) => "data:" + name;

    /// <summary>A zip archive by its first bytes (whatever the upload's content type said), else a CSV.</summary>
    private async Task<string> FormatOfAsync(string key, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(key, cancellationToken);
        var head = new byte[4];
        var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        return DatasetArchive.IsArchive(head.AsSpan(0, read)) ? DatasetFormats.Zip : DatasetFormats.Csv;
    }

    private async Task<DatasetProfile> ProfileAsync(string key, string format, BadImagePolicy badImages, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(key, cancellationToken);
        if (format == DatasetFormats.Csv)
        {
            return CsvProfiler.Profile(stream, ct: cancellationToken);
        }

        using var archive = await DatasetArchive.OpenAsync(stream, options.Value.ArchiveLimits, cancellationToken);
        return ArchiveProfiler.Profile(archive, badImages, ct: cancellationToken);
    }

    private Task<int> LockAsync(string name, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtext({LockKey(name)}))", cancellationToken);

    private Task<DatasetVersion?> FindBySha256Async(string name, string sha256, CancellationToken cancellationToken) =>
        db.Versions.AsNoTracking().SingleOrDefaultAsync(v => v.Dataset == name && v.Sha256 == sha256, cancellationToken);

    /// <summary>
    /// Numbers the version under a per-dataset advisory lock, so concurrent uploads get consecutive numbers and an
    /// identical concurrent upload finds the version the other one registered.
    /// </summary>
    private async Task<AddOutcome> RegisterAsync(
        string name, ArtifactInfo stored, string format, DatasetProfile profile, string source, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await LockAsync(name, cancellationToken);
            var existing = await FindBySha256Async(name, stored.Sha256, cancellationToken);
            if (existing is not null)
            {
                return new AddOutcome(existing, false, null);
            }

            if (!await store.ExistsAsync(stored.Key, cancellationToken))
            {
                return new AddOutcome(null, false, "A version with this content was deleted while it was uploaded, taking the content with it; upload it again.");
            }

            var now = time.GetUtcNow();
            var dataset = await db.Datasets.SingleOrDefaultAsync(d => d.Name == name, cancellationToken);
            if (dataset is null)
            {
                db.Datasets.Add(new Dataset { Name = name, CreatedAt = now, UpdatedAt = now });
            }
            else
            {
                dataset.UpdatedAt = now;
            }

            var number = (await db.Versions.IgnoreQueryFilters().Where(v => v.Dataset == name).MaxAsync(v => (int?)v.Version, cancellationToken) ?? 0) + 1;
            var version = new DatasetVersion
            {
                Dataset = name,
                Version = number,
                Sha256 = stored.Sha256,
                SizeBytes = stored.Size,
                ArtifactKey = stored.Key,
                Format = format,
                Rows = profile.Rows,
                ColumnsJson = JsonSerializer.Serialize(profile.Columns.Select(c => new ColumnSchema(c.Name, c.Type)), Json),
                ProfileJson = JsonSerializer.Serialize(profile, Json),
                Source = source,
                CreatedAt = now,
            };
            db.Versions.Add(version);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new AddOutcome(version, true, null);
        });
    }
}
