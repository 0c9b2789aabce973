using Microsoft.ML.Data;

namespace MlOps.Learning.MlNet;

/// <summary>
/// A row as ML.NET's trainers take it: our featurized row, and its target in the form the task's trainers read (a
/// class key for multiclass, a flag for binary, a value for regression; the other two are left unset). Public because
/// ML.NET maps rows by reflection.
/// </summary>
public sealed class TrainingRow
{
    public const string ClassColumn = "Label";
    public const string FlagColumn = "Flag";
    public const string ValueColumn = "Value";

    public VBuffer<float> Features { get; set; }

    /// <summary>The class's index in the model's classes (ML.NET makes it the key index + 1 itself, 0 meaning missing inside).</summary>
    public uint Label { get; set; }

    public bool Flag { get; set; }

    public float Value { get; set; }
}
