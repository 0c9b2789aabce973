namespace MlOps.TrainerService.Registry;

/// <summary>Names the registry's own routes use under <c>/api/models/</c>, which no model may take.</summary>
public static class RegistryNames
{
    private static readonly string[] Reserved = ["changes", "by-dataset", "import"];

    public static bool IsReserved(string name) => Reserved.Contains(name, StringComparer.Ordinal);
}
