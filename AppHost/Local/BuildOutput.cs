namespace MlOps.AppHost.Local;

/// <summary>
/// Where the services' build output is: beside the launcher's own, in the artifacts layout
/// (<c>artifacts/bin/AppHost/debug/</c> → <c>artifacts/bin/AuthService/debug/AuthService.dll</c>), in the same
/// configuration the launcher was built in.
/// </summary>
internal sealed class BuildOutput(string appHostDirectory)
{
    public string AssemblyOf(string project)
    {
        var directory = new DirectoryInfo(Path.TrimEndingDirectorySeparator(appHostDirectory));
        var configuration = directory.Name;
        var binRoot = directory.Parent?.Parent?.FullName
            ?? throw new LauncherException($"{appHostDirectory} is not in the artifacts/bin/<project>/<configuration>/ layout.");
        var assembly = Path.Combine(binRoot, project, configuration, project + ".dll");
        return File.Exists(assembly)
            ? assembly
            : throw new LauncherException(
                $"{project} is not built ({assembly} is missing). Build it with `dotnet build services/{project}` " +
                "or start the platform with `dotnet run --project AppHost`, which builds every service.");
    }
}
