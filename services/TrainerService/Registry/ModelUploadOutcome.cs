namespace MlOps.TrainerService.Registry;

/// <summary>
/// What registering an uploaded model did: the version (new, or the one the same file and descriptor became before), or
/// why not: faults by where they are (<see cref="Errors"/>, a 422 validation problem) or one problem.
/// </summary>
public sealed record ModelUploadOutcome(int? Version, bool Created, int Status, string? Title, string? Problem, Dictionary<string, string[]>? Errors)
{
    public static ModelUploadOutcome Registered(int version, bool created) => new(version, created, created ? 201 : 200, null, null, null);

    public static ModelUploadOutcome Invalid(Dictionary<string, string[]> errors) =>
        new(null, false, 422, "The model does not fit its descriptor", null, errors);

    public static ModelUploadOutcome Refused(int status, string title, string problem) => new(null, false, status, title, problem, null);
}
