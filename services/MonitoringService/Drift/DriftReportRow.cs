namespace MlOps.MonitoringService.Drift;

/// <summary>A row of <c>monitoring.drift_reports</c>: one check's report as JSON, with what queries filter on.</summary>
public sealed class DriftReportRow
{
    public long Id { get; init; }

    public required string Model { get; init; }

    public int Version { get; init; }

    public DateTimeOffset CheckedAt { get; init; }

    public bool? DatasetDrift { get; init; }

    public required string ReportJson { get; init; }
}
