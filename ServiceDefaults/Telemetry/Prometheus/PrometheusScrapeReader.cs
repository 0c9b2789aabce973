using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MlOps.ServiceDefaults.Telemetry.Prometheus;

/// <summary>
/// A pull reader on the service's OpenTelemetry metric pipeline: each scrape collects the current cumulative state and
/// renders it in the Prometheus text format. It stands in for OpenTelemetry.Exporter.Prometheus.AspNetCore, which is
/// not obtainable here. Scrapes are serialized, because a collection hands its batch to one exporter call.
/// </summary>
public sealed class PrometheusScrapeReader() : BaseExportingMetricReader(new ScrapeExporter())
{
    private readonly SemaphoreSlim _scrapeLock = new(1, 1);

    private ScrapeExporter Exporter => (ScrapeExporter)exporter;

    /// <summary>Collects every metric and returns the exposition, or null if collection failed or timed out.</summary>
    public async Task<byte[]?> ScrapeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _scrapeLock.WaitAsync(cancellationToken);
        try
        {
            Exporter.Begin();
            var collected = Collect((int)timeout.TotalMilliseconds);
            return collected ? Exporter.End() : null;
        }
        finally
        {
            _scrapeLock.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _scrapeLock.Dispose();
        }

        base.Dispose(disposing);
    }

    // Declared push-capable on purpose: a pull-only exporter may only be collected from inside the SDK's own pull
    // scope, which is internal; this reader never pushes because nothing but a scrape calls Collect.
    private sealed class ScrapeExporter : BaseExporter<Metric>
    {
        private PrometheusTextWriter? _writer;

        public void Begin() => _writer = new PrometheusTextWriter();

        public byte[] End()
        {
            var text = _writer!.ToUtf8();
            _writer = null;
            return text;
        }

        public override ExportResult Export(in Batch<Metric> batch)
        {
            if (_writer is null)
            {
                return ExportResult.Failure;
            }

            foreach (var metric in batch)
            {
                _writer.Write(metric);
            }

            return ExportResult.Success;
        }
    }
}
