namespace MlOps.MonitoringService.Performance;

/// <summary>A row of <c>monitoring.performance_reports</c>: one check's report as JSON, with what queries filter on.</summary>
public sealed class PerformanceReportRow
{
    public long Id { get; init; }

    public required string Model { get; init; }

    public int Version { get; init; }

    public DateTimeOffset CheckedAt { get; init; }

    public bool? Decay { get; init; }

    public required string ReportJson { get; init; }
}
