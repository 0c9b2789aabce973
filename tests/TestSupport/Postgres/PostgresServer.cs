using Npgsql;

namespace MlOps.TestSupport;

/// <summary>How <see cref="PostgresServer.StartAsync"/> found the server.</summary>
public enum PostgresStartKind
{
    /// <summary>A new data folder was initialized (initdb) and the server started.</summary>
    Initialized,

    /// <summary>An existing data folder was started.</summary>
    Started,

    /// <summary>A server was already running on this data folder and port, and was adopted.</summary>
    Reused,
}

/// <summary>
/// A PostgreSQL server run from the machine's own binaries in a data folder of its own, listening on 127.0.0.1
/// only, with trust authentication for the <c>postgres</c> superuser (a developer's local server, not a
/// production one). As root it runs as the <c>postgres</c> user, since initdb and postgres refuse to run as root.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private const string InstallHint = "`apt-get install -y postgresql` installs PostgreSQL and creates that user.";

    private readonly PostgresServerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly string _dataDirectory;
    private readonly bool _runAsPostgresUser = UnixProcess.IsRoot;
    private PostgresBinaries? _binaries;
    private bool _running;

    public PostgresServer(PostgresServerOptions options, TimeProvider? timeProvider = null)
    {
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _dataDirectory = Path.GetFullPath(options.DataDirectory);
        LogFile = Path.GetFullPath(options.LogFile ?? Path.Combine(Path.GetDirectoryName(_dataDirectory)!, "postgres.log"));
    }

    public int Port => _options.Port;

    public string LogFile { get; }

    /// <summary><c>Host=127.0.0.1;Port=…;Database=…;Username=postgres</c> for the configured database.</summary>
    public string ConnectionString => ConnectionStringFor(_options.Database);

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = _options.Port, Database = database, Username = Superuser }
            .ConnectionString;

    /// <summary>Initializes the data folder if needed, starts (or adopts) the server and creates the database.</summary>
    public async Task<PostgresStartKind> StartAsync(CancellationToken cancellationToken)
    {
        _binaries = PostgresBinaries.Find(_options.BinDirectory);
        if (_runAsPostgresUser)
        {
            await EnsurePostgresUserAsync(cancellationToken);
        }

        var initialized = await EnsureInitializedAsync(_binaries, cancellationToken);
        await PrepareLogFileAsync(cancellationToken);

        if (PostmasterPidFile.Read(_dataDirectory) is { } pidFile)
        {
            if (pidFile.IsServerAlive() && pidFile.Port == _options.Port)
            {
                // Left running by an earlier launcher that could not stop it: adopt it rather than fail on the port.
                await WaitUntilAcceptingAsync(cancellationToken);
                _running = true;
                await CreateDatabaseAsync(_options.Database, cancellationToken);
                return PostgresStartKind.Reused;
            }

            if (pidFile.IsServerAlive())
            {
                // Running on another port: restart it cleanly on ours.
                await RunPgCtlAsync(["-D", _dataDirectory, "-m", "fast", "-w", "-t", TimeoutSeconds, "stop"], "stop", cancellationToken);
            }
            else
            {
                // A server that was killed leaves its lock file behind; the id in it may now belong to another process.
                File.Delete(Path.Combine(_dataDirectory, PostmasterPidFile.FileName));
            }
        }

        // Marked running before the start returns, so that a start which fails or is canceled half-way still gets stopped.
        _running = true;
        var serverOptions = $"-p {_options.Port} -k {ShellQuote(_dataDirectory)} -c listen_addresses=127.0.0.1"
            + (_options.MaxConnections is { } connections ? $" -c max_connections={connections}" : string.Empty);
        await RunPgCtlAsync(
            ["-D", _dataDirectory, "-l", LogFile, "-o", serverOptions, "-w", "-t", TimeoutSeconds, "start"], "start", cancellationToken);

        await CreateDatabaseAsync(_options.Database, cancellationToken);
        return initialized ? PostgresStartKind.Initialized : PostgresStartKind.Started;
    }

    /// <summary>Creates a database unless it exists.</summary>
    public async Task CreateDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync(cancellationToken);

        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = database });
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return;
            }
        }

        try
        {
            var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Created concurrently by someone else: what we wanted.
        }
    }

    /// <summary>Stops the server (fast shutdown: open sessions are ended, data is flushed).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_running || _binaries is null)
        {
            return;
        }

        // Connections pooled by this process would otherwise keep trying a server that is gone.
        NpgsqlConnection.ClearAllPools();
        var result = await RunAsServerUserAsync(_binaries.PgCtl, ["-D", _dataDirectory, "-m", "fast", "-w", "-t", TimeoutSeconds, "stop"], cancellationToken);
        if (!result.Succeeded && PostmasterPidFile.Read(_dataDirectory) is not null)
        {
            throw new PostgresServerException($"PostgreSQL did not stop ({result.Command}):\n{result.Output}\n{ReadLogTail(20)}");
        }

        _running = false;
    }

    /// <summary>The last lines of the server's log, for error reports.</summary>
    public string ReadLogTail(int lines)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private string TimeoutSeconds => ((int)Math.Ceiling(_options.StartTimeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<bool> EnsureInitializedAsync(PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            return false;
        }

        if (Directory.Exists(_dataDirectory) && Directory.EnumerateFileSystemEntries(_dataDirectory).Any())
        {
            throw new PostgresServerException(
                $"{_dataDirectory} is not empty but holds no PostgreSQL cluster (no PG_VERSION). Empty it or choose another folder.");
        }

        Directory.CreateDirectory(_dataDirectory);
        if (_runAsPostgresUser)
        {
            EnsureReachableByPostgresUser(Path.GetDirectoryName(_dataDirectory)!);
            await ChownToPostgresAsync(_dataDirectory, cancellationToken);
        }

        // --no-locale: the C locale exists everywhere, whatever LANG says; UTF8 keeps any text storable.
        var result = await RunAsServerUserAsync(
            binaries.InitDb, ["-D", _dataDirectory, "-A", "trust", "-U", Superuser, "-E", "UTF8", "--no-locale"], cancellationToken);
        if (!result.Succeeded)
        {
            throw new PostgresServerException($"initdb failed ({result.Command}):\n{result.Output}");
        }

        return true;
    }

    private async Task PrepareLogFileAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
        await using (new FileStream(LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
        }

        if (_runAsPostgresUser)
        {
            // The server writes its log itself, as the postgres user.
            EnsureReachableByPostgresUser(Path.GetDirectoryName(LogFile)!);
            await ChownToPostgresAsync(LogFile, cancellationToken);
        }
    }

    private async Task RunPgCtlAsync(IReadOnlyList<string> arguments, string action, CancellationToken cancellationToken)
    {
        var result = await RunAsServerUserAsync(_binaries!.PgCtl, arguments, cancellationToken);
        if (!result.Succeeded)
        {
            throw new PostgresServerException(
                $"PostgreSQL did not {action} on port {_options.Port} ({result.Command}):\n{result.Output}\n" +
                $"Last lines of {LogFile}:\n{ReadLogTail(20)}");
        }
    }

    private Task<CommandResult> RunAsServerUserAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        _runAsPostgresUser
            ? CommandRunner.RunAsync("runuser", ["-u", Superuser, "--", program, .. arguments], cancellationToken, workingDirectory: "/")
            : CommandRunner.RunAsync(program, arguments, cancellationToken);

    private static async Task EnsurePostgresUserAsync(CancellationToken cancellationToken)
    {
        if (ExecutableLocator.FindOnPath("runuser") is null)
        {
            throw new PostgresServerException("Running as root, PostgreSQL must run as the postgres user, but runuser (util-linux) is not on PATH.");
        }

        var id = await CommandRunner.RunAsync("id", ["-u", Superuser], cancellationToken);
        if (!id.Succeeded)
        {
            throw new PostgresServerException($"Running as root, PostgreSQL must run as the postgres user, which does not exist. {InstallHint}");
        }
    }

    private static async Task ChownToPostgresAsync(string path, CancellationToken cancellationToken)
    {
        var result = await CommandRunner.RunAsync("chown", ["-R", Superuser + ":", path], cancellationToken);
        if (!result.Succeeded)
        {
            throw new PostgresServerException($"Could not give {path} to the postgres user ({result.Command}):\n{result.Output}");
        }
    }

    /// <summary>The postgres user must be able to walk down to the data folder from /.</summary>
    private static void EnsureReachableByPostgresUser(string directory)
    {
        for (var current = new DirectoryInfo(directory); current is not null; current = current.Parent)
        {
            if ((current.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                throw new PostgresServerException(
                    $"The postgres user cannot reach {directory}: {current.FullName} is not traversable by others " +
                    $"(mode {Convert.ToString((int)current.UnixFileMode, 8)}). Run `chmod o+x {current.FullName}` or choose a data folder elsewhere.");
            }
        }
    }

    private async Task WaitUntilAcceptingAsync(CancellationToken cancellationToken)
    {
        var deadline = _timeProvider.GetTimestamp() + (long)(_options.StartTimeout.TotalSeconds * _timeProvider.TimestampFrequency);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString());
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (_timeProvider.GetTimestamp() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), _timeProvider, cancellationToken);
            }
        }
    }

    private string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false, Timeout = 5 }.ConnectionString;

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
