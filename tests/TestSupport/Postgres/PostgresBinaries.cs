
namespace MlOps.TestSupport;

/// <summary>The PostgreSQL server programs of this machine, all from one installation.</summary>
public sealed record PostgresBinaries(string Directory)
{
    private const string InstallHint = "Install PostgreSQL with `apt-get install -y postgresql`.";
    private static readonly string[] ServerPrograms = ["initdb", "pg_ctl", "postgres"];

    public string InitDb => Path.Combine(Directory, "initdb");

    public string PgCtl => Path.Combine(Directory, "pg_ctl");

    /// <summary>
    /// Takes the installation of <c>pg_ctl</c> on PATH (following symbolic links, since Debian links them from
    /// /usr/lib/postgresql/N/bin), else the newest /usr/lib/postgresql/N/bin.
    /// </summary>
    public static PostgresBinaries Find(string? binDirectory = null)
    {
        if (binDirectory is not null)
        {
            return Verified(binDirectory)
                ?? throw new PostgresServerException($"initdb, pg_ctl and postgres were not found in {binDirectory}. {InstallHint}");
        }

        if (ExecutableLocator.FindOnPath("pg_ctl") is { } pgCtl)
        {
            var target = new FileInfo(pgCtl).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? pgCtl;
            if (Verified(Path.GetDirectoryName(target)!) is { } onPath)
            {
                return onPath;
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        var installed = System.IO.Directory.Exists(debianRoot)
            ? System.IO.Directory.GetDirectories(debianRoot)
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), out var number) ? number : 0, Bin: Path.Combine(version, "bin")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => Verified(candidate.Bin))
                .FirstOrDefault(binaries => binaries is not null)
            : null;

        return installed
            ?? throw new PostgresServerException(
                $"The PostgreSQL server programs (initdb, pg_ctl, postgres) were found neither on PATH nor in {debianRoot}/*/bin. {InstallHint}");
    }

    private static PostgresBinaries? Verified(string directory) =>
        ServerPrograms.All(name => ExecutableLocator.IsExecutable(Path.Combine(directory, name)))
            ? new PostgresBinaries(Path.GetFullPath(directory))
            : null;
}
