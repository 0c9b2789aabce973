namespace MlOps.AppHost.Local;

/// <summary>
/// Everything local mode keeps between runs: <c>.mlops/</c> under the repository root, or <c>MLOPS_HOME</c>.
/// </summary>
internal sealed record DataFolder(string Root)
{
    public const string SolutionFile = "MlOps.Aspire.sln";

    public string Postgres => Path.Combine(Root, "postgres");

    public string Logs => Path.Combine(Root, "logs");

    public string Artifacts => Path.Combine(Root, "artifacts");

    public string Prometheus => Path.Combine(Root, "prometheus");

    public string AdminPasswordFile => Path.Combine(Root, "admin-password");

    public string ServicesClientSecretFile => Path.Combine(Root, "services-client-secret");

    public string LogOf(string processName) => Path.Combine(Logs, processName + ".log");

    /// <summary>
    /// <paramref name="home"/> when given, else <c>.mlops/</c> in the first folder holding the solution file,
    /// walking up from each start folder (the current directory, then the launcher's own location).
    /// </summary>
    public static DataFolder Resolve(string? home, params string[] startDirectories)
    {
        if (home is not null)
        {
            return new DataFolder(Path.GetFullPath(home));
        }

        foreach (var start in startDirectories)
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
                {
                    return new DataFolder(Path.Combine(directory.FullName, ".mlops"));
                }
            }
        }

        throw new LauncherException(
            $"The repository root (the folder holding {SolutionFile}) was not found above {string.Join(" or ", startDirectories)}. " +
            "Run from inside the repository or set MLOPS_HOME to a data folder.");
    }

    /// <summary>
    /// Creates the folders, traversable by others whatever the umask: as root, PostgreSQL runs as the postgres user,
    /// which must reach its data folder inside. The PostgreSQL folder itself is left to the server to initialize.
    /// </summary>
    public void Create()
    {
        const UnixFileMode traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        foreach (var folder in new[] { Root, Logs, Artifacts, Prometheus })
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, traversable);
            }
        }
    }
}
