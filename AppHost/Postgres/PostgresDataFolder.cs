using MlOps.AppHost.Hosting;

namespace MlOps.AppHost.Postgres;

/// <summary>
/// The PostgreSQL cluster in the data folder: made on the first start (initdb, then the platform's database), found
/// again on every later one. Trust authentication on 127.0.0.1 only: a developer's server, not a production one.
/// </summary>
internal static class PostgresDataFolder
{
    /// <summary>Makes the cluster unless it exists; true when it was made now.</summary>
    public static bool EnsureInitialized(PostgresProgram program, string dataDirectory, string database)
    {
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return false;
        }

        if (Directory.Exists(dataDirectory) && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new PlatformStartException(
                $"{dataDirectory} is not empty but holds no PostgreSQL cluster (no PG_VERSION): empty it, or set MlOps__Home to another data folder.");
        }

        Directory.CreateDirectory(dataDirectory);
        if (program.AsPostgresUser)
        {
            EnsureReachable(Path.GetDirectoryName(dataDirectory)!);
            Expect(Command.Run("chown", [PostgresProgram.ServerUser + ":", dataDirectory]), $"Could not give {dataDirectory} to the postgres user");
        }

        // --no-locale: the C locale exists everywhere, whatever LANG says; UTF8 keeps any text storable.
        Expect(
            program.Run("initdb", ["-D", dataDirectory, "-A", "trust", "-U", PostgresProgram.ServerUser, "-E", "UTF8", "--no-locale"]),
            $"initdb could not make a cluster in {dataDirectory}");

        // The single-user backend creates the database before any server listens, so no service ever sees it missing.
        Expect(
            program.Run("postgres", ["--single", "-D", dataDirectory, "postgres"], input: $"CREATE DATABASE \"{database}\";\n"),
            $"PostgreSQL could not create the database {database}");
        return true;
    }

    /// <summary>The postgres user must be able to walk down to the data folder from /.</summary>
    private static void EnsureReachable(string directory)
    {
        for (var current = new DirectoryInfo(directory); current is not null; current = current.Parent)
        {
            if ((current.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                throw new PlatformStartException(
                    $"The postgres user cannot reach {directory}, because {current.FullName} is not traversable by others: " +
                    $"run `chmod o+x {current.FullName}`, or set MlOps__Home to a data folder elsewhere.");
            }
        }
    }

    private static void Expect((int ExitCode, string Output) result, string failure)
    {
        if (result.ExitCode != 0)
        {
            throw new PlatformStartException($"{failure} (exit code {result.ExitCode}): {result.Output}");
        }
    }
}
