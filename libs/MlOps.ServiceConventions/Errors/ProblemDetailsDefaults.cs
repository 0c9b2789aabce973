using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceConventions.RequestIds;

namespace MlOps.ServiceConventions.Errors;

internal static class ProblemDetailsDefaults
{
    /// <summary>
    /// Every error is an RFC 9457 body carrying the request id and trace id, so a user can quote them. Unhandled
    /// exceptions become a 500 that says nothing about the code (no type, message or stack); client faults that
    /// Kestrel raises keep their own status (400, 413, …).
    /// </summary>
    public static void AddDefaultProblemDetails(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var http = context.HttpContext;
            problem.Instance ??= http.Request.Path;
            problem.Extensions.Remove("exception");
            problem.Extensions["requestId"] = http.GetRequestId();
            if (Activity.Current is { } activity)
            {
                problem.Extensions["traceId"] = activity.TraceId.ToString();
            }

            // A client fault's message says what was wrong with the request, never anything about the code.
            if (context.Exception is BadHttpRequestException bad)
            {
                problem.Detail ??= bad.Message;
            }

            // Why a bearer token was refused (MlOps.ServiceConventions.Auth.TokenChallenge).
            if (problem.Status == StatusCodes.Status401Unauthorized && http.Items[TokenChallenge.DetailItem] is string refusal)
            {
                problem.Detail ??= refusal;
            }

            if (problem.Status == StatusCodes.Status500InternalServerError)
            {
                problem.Detail = "An unexpected error occurred. Quote the request id when reporting it.";
            }
        });
        builder.Services.Configure<ExceptionHandlerOptions>(options =>
        {
            options.StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                _ => StatusCodes.Status500InternalServerError,
            };
            options.SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException;
        });
    }
}
