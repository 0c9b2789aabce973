using System.Net.Http.Json;
using MlOps.Contracts.Registry;

namespace MlOps.DataService.Datasets;

/// <summary>Thrown when the trainer cannot say what uses a dataset version, so a delete must not go ahead.</summary>
public sealed class ModelUsageUnknownException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>Asks the trainer's registry which model versions and jobs stand on a dataset version.</summary>
public sealed class ModelUsageClient(HttpClient http)
{
    public async Task<DatasetUsage> GetAsync(string dataset, int version, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync($"/api/models/by-dataset/{Uri.EscapeDataString(dataset)}/versions/{version}", cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ModelUsageUnknownException($"The trainer answered {(int)response.StatusCode} when asked what uses the version.");
            }

            return await response.Content.ReadFromJsonAsync<DatasetUsage>(cancellationToken)
                ?? throw new ModelUsageUnknownException("The trainer answered an empty usage.");
        }
        catch (HttpRequestException exception)
        {
            throw new ModelUsageUnknownException($"The trainer could not be reached: {exception.Message}", exception);
        }
    }
}
