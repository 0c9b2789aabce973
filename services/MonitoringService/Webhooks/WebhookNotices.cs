using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Threading.Channels;
using MlOps.Contracts.Monitoring;

namespace MlOps.MonitoringService.Webhooks;

/// <summary>
/// Posts each <see cref="ModelStateNotice"/> to its policy's webhook, in the background so checks never wait on a
/// receiver: up to <see cref="Attempts"/> tries a notice (1 s, then 2 s apart), each given 10 s. Notices waiting beyond
/// <see cref="Capacity"/> push the oldest out. <c>mlops_webhook_deliveries_total{outcome}</c>: delivered, failed,
/// dropped.
/// </summary>
public sealed class WebhookNotices : BackgroundService
{
    public const int Capacity = 1000;
    public const int Attempts = 3;
    public const string HttpClientName = "webhooks";

    private readonly Channel<(Uri Url, ModelStateNotice Notice)> _pending;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookNotices> _logger;
    private readonly Counter<long> _deliveries;

    public WebhookNotices(IHttpClientFactory http, IMeterFactory meters, TimeProvider time, ILogger<WebhookNotices> logger)
    {
        _http = http;
        _time = time;
        _logger = logger;
        _deliveries = meters.Create("MlOps.Monitoring.Webhooks").CreateCounter<long>("mlops.webhook.deliveries", description: "Webhook notices, by outcome.");
        _pending = Channel.CreateBounded<(Uri, ModelStateNotice)>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Count("dropped"));
    }

    public void Enqueue(Uri url, ModelStateNotice notice) => _pending.Writer.TryWrite((url, notice));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (url, notice) in _pending.Reader.ReadAllAsync(stoppingToken))
        {
            await DeliverAsync(url, notice, stoppingToken);
        }
    }

    private async Task DeliverAsync(Uri url, ModelStateNotice notice, CancellationToken stoppingToken)
    {
        var client = _http.CreateClient(HttpClientName);
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                using var response = await client.PostAsJsonAsync(url, notice, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    Count("delivered");
                    return;
                }

                _logger.LogWarning("The webhook {Url} answered {Status} to the notice for {Model} (attempt {Attempt} of {Attempts}).", url, (int)response.StatusCode, notice.Model, attempt, Attempts);
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
            {
                _logger.LogWarning("The webhook {Url} could not be reached for {Model} (attempt {Attempt} of {Attempts}): {Error}", url, notice.Model, attempt, Attempts, exception.Message);
            }

            if (attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), _time, stoppingToken);
            }
        }

        Count("failed");
    }

    private void Count(string outcome) => _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
