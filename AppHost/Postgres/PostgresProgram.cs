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

    /// <summary>
    /// Stopping asks PostgreSQL for its fast shutdown (SIGINT: sessions are ended, a checkpoint is written, the server
    /// exits), whatever signal the orchestrator sends. On SIGTERM PostgreSQL would wait for every client to leave, and
    /// the services leave at the same moment, so it was killed before it finished, leaving a cluster to recover.
    /// </summary>
    private const string FastShutdownOnStop = "trap 'kill -INT $pid' TERM INT; \"$@\" & pid=$!; wait $pid; wait $pid";

    /// <summary>The command and arguments that run the server on <paramref name="arguments"/> as the server's user.</summary>
    public (string Command, string[] Arguments) Server(params string[] arguments)
    {
        // setpriv leaves no parent behind (runuser would stay, and kill the server two seconds after a stop).
        string[] shell = ["sh", "-c", FastShutdownOnStop, "postgres", Path.Combine(BinDirectory, "postgres"), .. arguments];
        return AsPostgresUser
            ? ("setpriv", ["--reuid=" + ServerUser, "--regid=" + ServerUser, "--init-groups", "--", .. shell])
            : (shell[0], shell[1..]);
    }

    /// <summary>Runs a program of this installation to its end, as the server's user.</summary>
    public (int ExitCode, string Output) Run(string program, string[] arguments, string? input = null) =>
        AsPostgresUser
            ? Command.Run("runuser", ["-u", ServerUser, "--", Path.Combine(BinDirectory, program), .. arguments], input)
            : Command.Run(Path.Combine(BinDirectory, program), arguments, input);

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
