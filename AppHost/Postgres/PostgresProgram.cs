using MlOps.AppHost.Hosting;

namespace MlOps.AppHost.Postgres;

/// <summary>
/// How this machine runs its PostgreSQL server programs: from one installation's bin folder and, when the AppHost
/// runs as root (which initdb and postgres refuse), as the <c>postgres</c> user through <c>runuser</c>.
/// </summary>
internal sealed record PostgresProgram(string BinDirectory, bool AsPostgresUser)
{
    public const string ServerUser = "postgres";
    private const string InstallHint = "install PostgreSQL (`apt-get install -y postgresql`) or set MlOps__Postgres__BinDirectory to its bin folder";

    /// <summary>
    /// The installation in <paramref name="configured"/>, else the one whose <c>postgres</c> is on PATH, else the
    /// newest <c>/usr/lib/postgresql/N/bin</c> (Debian's layout).
    /// </summary>
    public static PostgresProgram Find(string? configured)
    {
        var binDirectory = configured is { Length: > 0 }
            ? HasServer(configured) ? configured : throw new PlatformStartException($"initdb and postgres are not in {configured}: {InstallHint}.")
            : OnPath() ?? Debian() ?? throw new PlatformStartException($"The PostgreSQL server programs (initdb, postgres) were not found: {InstallHint}.");

        var asPostgresUser = Environment.UserName == "root";
        if (asPostgresUser && Command.Run("id", ["-u", ServerUser]).ExitCode != 0)
        {
            throw new PlatformStartException(
                $"The AppHost runs as root, so PostgreSQL must run as the {ServerUser} user, which does not exist: {InstallHint} (it creates the user).");
        }

        return new PostgresProgram(Path.GetFullPath(binDirectory), asPostgresUser);
    }

    /// <summary>The command and arguments that run <paramref name="program"/> of this installation as the server's user.</summary>
    public (string Command, string[] Arguments) Invocation(string program, params string[] arguments) =>
        AsPostgresUser
            ? ("runuser", ["-u", ServerUser, "--", Path.Combine(BinDirectory, program), .. arguments])
            : (Path.Combine(BinDirectory, program), arguments);

    public (int ExitCode, string Output) Run(string program, string[] arguments, string? input = null)
    {
        var (command, all) = Invocation(program, arguments);
        return Command.Run(command, all, input);
    }

    private static bool HasServer(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "postgres"));

    private static string? OnPath()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = new FileInfo(Path.Combine(directory, "postgres"));
            if (candidate.Exists)
            {
                // Debian links the programs from /usr/lib/postgresql/N/bin; take the folder they really live in.
                var target = candidate.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate.FullName;
                var folder = Path.GetDirectoryName(target)!;
                if (HasServer(folder))
                {
                    return folder;
                }
            }
        }

        return null;
    }

    private static string? Debian()
    {
        const string root = "/usr/lib/postgresql";
        return Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .OrderByDescending(version => int.TryParse(Path.GetFileName(version), out var number) ? number : 0)
                .Select(version => Path.Combine(version, "bin"))
                .FirstOrDefault(HasServer)
            : null;
    }
}
