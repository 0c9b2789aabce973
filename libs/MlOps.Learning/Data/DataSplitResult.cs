namespace MlOps.Learning.Data;

/// <summary>Row indices of each part of a split, each part sorted ascending; together they cover every row once.</summary>
public sealed record DataSplitResult(int[] Train, int[] Validation, int[] Test);
