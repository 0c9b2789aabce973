using Microsoft.AspNetCore.Http.HttpResults;
using MlOps.Clients;
using MlOps.Contracts.Monitoring;
using MlOps.MonitoringService.Upstream;
using MlOps.ServiceConventions.Auth;

namespace MlOps.MonitoringService.Feedback;

/// <summary>
/// <c>POST /api/feedback</c> (scope mlops.predict, as predictions): ground truth for logged predictions. 200 with how
/// many were stored and how many repeated feedback already stored; 400 listing every invalid field; 404 naming the
/// prediction ids the log does not have; 409 when a prediction already has a different actual value. A request is
/// stored whole or not at all.
/// </summary>
public static class FeedbackEndpoints
{
    public static void MapFeedback(this WebApplication app) =>
        app.MapGroup("/api/feedback").WithTags("Monitoring")
            .MapPost("", PostAsync).RequireAuthorization(Scopes.Predict).WithName("PostFeedback")
            .WithSummary($"The actual outcome of a prediction, or of up to {FeedbackIntake.MaxItems:N0} in items");

    private static async Task<Results<Ok<FeedbackResponse>, ValidationProblem, ProblemHttpResult>> PostAsync(
        FeedbackRequest request, HttpContext context, FeedbackIntake intake, CancellationToken ct)
    {
        try
        {
            return await intake.AcceptAsync(request, context.User.CallerName(), ct) switch
            {
                FeedbackOutcome.Stored stored => TypedResults.Ok(new FeedbackResponse(stored.Accepted, stored.Duplicates)),
                FeedbackOutcome.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors, title: "The feedback is not valid"),
                FeedbackOutcome.Unknown unknown => Problem(StatusCodes.Status404NotFound, "Unknown prediction", unknown.Errors,
                    "The inference log has no prediction with these ids. Predictions are logged within about a second of being answered."),
                FeedbackOutcome.Conflict conflict => Problem(StatusCodes.Status409Conflict, "Feedback already given", conflict.Errors,
                    "These predictions already have a different actual value; nothing was stored."),
                _ => throw new InvalidOperationException("Unknown feedback outcome."),
            };
        }
        catch (ServiceUnavailableException exception)
        {
            return TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "A service feedback needs is unavailable");
        }
    }

    private static ProblemHttpResult Problem(int status, string title, Dictionary<string, string[]> errors, string detail) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail });
}
