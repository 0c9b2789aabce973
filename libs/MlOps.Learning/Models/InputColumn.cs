using MlOps.Learning.Data;

namespace MlOps.Learning.Models;

/// <summary>One input the model expects, with the type it was trained on.</summary>
public sealed record InputColumn(string Name, ColumnType Type);
