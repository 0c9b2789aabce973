using System.Text.Encodings.Web;

namespace MlOps.AuthService.SignIn;

/// <summary>
/// A page of the token service (sign-in, device verification): plain HTML with inline styles, never cached, never framed,
/// no scripts. Every value written into it goes through <see cref="Encode"/>.
/// </summary>
internal sealed record HtmlPage(string Title, string Body, int StatusCode = StatusCodes.Status200OK) : IResult
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;display:flex;justify-content:center}
        main{background:#fff;margin-top:8vh;padding:2rem 2.5rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:22rem}
        h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem}
        input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
        button{margin-top:1.2rem;padding:.5rem 1.2rem;font-size:1rem;cursor:pointer}
        .error{color:#b00020}.code{font-family:monospace;font-size:1.2rem}
        """;

    public static string Encode(string? value) => HtmlEncoder.Default.Encode(value ?? string.Empty);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var headers = httpContext.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.ContentType = "text/html; charset=utf-8";
        return httpContext.Response.WriteAsync(
            $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Encode(Title)} · MlOps</title><style>{Style}</style></head>
            <body><main><h1>{Encode(Title)}</h1>
            {Body}
            </main></body></html>
            """,
            httpContext.RequestAborted);
    }
}
