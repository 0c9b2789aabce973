using System.Net;
using System.Net.Http.Json;
using MlOps.Contracts.Training;

namespace MlOps.Clients;

/// <summary>The trainer's training jobs (<c>/api/training/jobs</c>): how a version was trained, and a new job to train it again.</summary>
public sealed class TrainingJobsClient(HttpClient http)
{
    public async Task<TrainingJobResponse?> GetJobAsync(Guid id, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync($"/api/training/jobs/{id}", cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            return response.IsSuccessStatusCode
                ? await response.Content.ReadFromJsonAsync<TrainingJobResponse>(cancellationToken)
                : throw new ServiceUnavailableException($"The trainer answered {(int)response.StatusCode} for job {id}.");
        }
        catch (HttpRequestException exception)
        {
            throw new ServiceUnavailableException($"The trainer could not be reached: {exception.Message}", exception);
        }
    }

    /// <summary>The queued job.</summary>
    /// <exception cref="ServiceUnavailableException">The trainer could not be reached or refused the job (its problem's detail is kept).</exception>
    public async Task<TrainingJobResponse> SubmitAsync(TrainingJobRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("/api/training/jobs", request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new ServiceUnavailableException($"The trainer answered {(int)response.StatusCode} to the retraining job: {body}");
            }

            return (await response.Content.ReadFromJsonAsync<TrainingJobResponse>(cancellationToken))!;
        }
        catch (HttpRequestException exception)
        {
            throw new ServiceUnavailableException($"The trainer could not be reached: {exception.Message}", exception);
        }
    }
}
