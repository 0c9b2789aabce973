using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlOps.TestSupport;

/// <summary>One request the fake received: method, path with query, and body.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, string Body)
{
    public JsonNode? Json => string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);
}

/// <summary>
/// A small in-process MLflow tracking server following MLflow's documented REST contract (mlflow/protos/service.proto,
/// model_registry.proto and the REST API reference): the endpoints the platform's client calls, their request and
/// response shapes, the <c>{"error_code", "message"}</c> error bodies and status codes, and the log-batch limits
/// (1,000 metrics, 100 params, 100 tags, 1,000 entities, 1 MiB) with MLflow's own messages. State lives in memory;
/// every request is recorded, so tests assert exactly what the client sent. A new model version is
/// PENDING_REGISTRATION for <see cref="PendingPolls"/> reads, then READY. Binds 127.0.0.1 on a free port.
/// </summary>
public sealed class FakeMlflow : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JsonObject> _experiments = [];
    private readonly Dictionary<string, JsonObject> _runs = [];
    private readonly Dictionary<string, List<JsonObject>> _versions = [];
    private readonly Dictionary<(string Model, string Alias), string> _aliases = [];
    private readonly Dictionary<(string Model, string Version), int> _reads = [];

    private FakeMlflow(WebApplication app) => _app = app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public ConcurrentDictionary<string, byte[]> Artifacts { get; } = new();

    /// <summary>While set, every request gets 503 TEMPORARILY_UNAVAILABLE (an MLflow outage) and changes nothing.</summary>
    public bool Unavailable { get; set; }

    /// <summary>While set, a new version's registration fails (FAILED_REGISTRATION) once it is no longer pending.</summary>
    public bool FailRegistration { get; set; }

    /// <summary>Reads of a new version that still find it pending registration.</summary>
    public int PendingPolls { get; set; } = 2;

    public Uri Address { get; private set; } = null!;

    public IReadOnlyDictionary<string, JsonObject> Experiments
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, JsonObject>(_experiments);
            }
        }
    }

    /// <summary>The version an alias points at, or null.</summary>
    public string? AliasOf(string model, string alias)
    {
        lock (_gate)
        {
            return _aliases.GetValueOrDefault((model, alias));
        }
    }

    /// <summary>A registered model's versions (copies).</summary>
    public IReadOnlyList<JsonObject> VersionsOf(string model)
    {
        lock (_gate)
        {
            return _versions.TryGetValue(model, out var versions) ? [.. versions.Select(v => v.DeepClone().AsObject())] : [];
        }
    }

    public IReadOnlyDictionary<string, JsonObject> Runs
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, JsonObject>(_runs);
            }
        }
    }

    public static async Task<FakeMlflow> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeMlflow(app);
        fake.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.Address = new Uri(address.EndsWith('/') ? address : address + "/");
        return fake;
    }

    public HttpClient Client() => new() { BaseAddress = Address };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (Unavailable)
            {
                context.Response.StatusCode = 503;
                await context.Response.WriteAsJsonAsync(new { error_code = "TEMPORARILY_UNAVAILABLE", message = "The tracking server is down for the test." });
                return;
            }

            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync();
            context.Request.Body.Position = 0;
            Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, body));
            await next();
        });

        app.MapGet("/api/2.0/mlflow/experiments/get-by-name", (string? experiment_name) => Locked(() =>
            _experiments.Values.FirstOrDefault(e => (string?)e["name"] == experiment_name) is { } found
                ? Ok(new JsonObject { ["experiment"] = found.DeepClone() })
                : Error(404, "RESOURCE_DOES_NOT_EXIST", $"Could not find experiment with name '{experiment_name}'")));

        app.MapPost("/api/2.0/mlflow/experiments/create", async (HttpRequest request) =>
        {
            var body = await Body(request);
            var name = (string?)body["name"];
            return Locked(() =>
            {
                if (string.IsNullOrEmpty(name))
                {
                    return Error(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'.");
                }

                if (_experiments.Values.Any(e => (string?)e["name"] == name))
                {
                    return Error(400, "RESOURCE_ALREADY_EXISTS", $"Experiment '{name}' already exists.");
                }

                var id = (_experiments.Count + 1).ToString(CultureInfo.InvariantCulture);
                _experiments[id] = new JsonObject { ["experiment_id"] = id, ["name"] = name, ["artifact_location"] = $"mlflow-artifacts:/{id}", ["lifecycle_stage"] = "active" };
                return Ok(new JsonObject { ["experiment_id"] = id });
            });
        });

        app.MapPost("/api/2.0/mlflow/runs/create", async (HttpRequest request) =>
        {
            var body = await Body(request);
            return Locked(() =>
            {
                var experiment = (string?)body["experiment_id"];
                if (experiment is null || !_experiments.ContainsKey(experiment))
                {
                    return Error(404, "RESOURCE_DOES_NOT_EXIST", $"No Experiment with id={experiment} exists");
                }

                var id = Guid.NewGuid().ToString("N");
                var info = new JsonObject
                {
                    ["run_id"] = id, ["run_uuid"] = id, ["experiment_id"] = experiment, ["run_name"] = body["run_name"]?.DeepClone(),
                    ["status"] = "RUNNING", ["start_time"] = body["start_time"]?.DeepClone(), ["artifact_uri"] = $"mlflow-artifacts:/{experiment}/{id}/artifacts",
                    ["lifecycle_stage"] = "active",
                };
                _runs[id] = new JsonObject
                {
                    ["info"] = info,
                    ["data"] = new JsonObject { ["metrics"] = new JsonArray(), ["params"] = new JsonArray(), ["tags"] = body["tags"]?.DeepClone() ?? new JsonArray() },
                };
                return Ok(new JsonObject { ["run"] = _runs[id].DeepClone() });
            });
        });

        app.MapGet("/api/2.0/mlflow/runs/get", (string? run_id) => Locked(() =>
            run_id is not null && _runs.TryGetValue(run_id, out var run)
                ? Ok(new JsonObject { ["run"] = run.DeepClone() })
                : Error(404, "RESOURCE_DOES_NOT_EXIST", $"Run '{run_id}' not found")));

        app.MapPost("/api/2.0/mlflow/runs/update", async (HttpRequest request) =>
        {
            var body = await Body(request);
            return Locked(() =>
            {
                if ((string?)body["run_id"] is not { } id || !_runs.TryGetValue(id, out var run))
                {
                    return Error(404, "RESOURCE_DOES_NOT_EXIST", $"Run '{body["run_id"]}' not found");
                }

                var info = run["info"]!.AsObject();
                info["status"] = body["status"]?.DeepClone();
                info["end_time"] = body["end_time"]?.DeepClone();
                return Ok(new JsonObject { ["run_info"] = info.DeepClone() });
            });
        });

        app.MapPost("/api/2.0/mlflow/runs/log-batch", async (HttpRequest request) =>
        {
            var text = await new StreamReader(request.Body).ReadToEndAsync();
            if (text.Length > 1_048_576)
            {
                return Error(400, "INVALID_PARAMETER_VALUE", $"Batched logging API requests must be at most 1048576 bytes, got a request of {text.Length} bytes.");
            }

            var body = JsonNode.Parse(text)!.AsObject();
            var metrics = body["metrics"]?.AsArray() ?? [];
            var parameters = body["params"]?.AsArray() ?? [];
            var tags = body["tags"]?.AsArray() ?? [];
            foreach (var (items, limit, what) in new[] { (metrics, 1000, "metrics"), (parameters, 100, "params"), (tags, 100, "tags") })
            {
                if (items.Count > limit)
                {
                    return Error(400, "INVALID_PARAMETER_VALUE",
                        $"A batch logging request can contain at most {limit} {what}. Got {items.Count} {what}. Please split up {what} across multiple requests and try again.");
                }
            }

            var total = metrics.Count + parameters.Count + tags.Count;
            if (total > 1000)
            {
                return Error(400, "INVALID_PARAMETER_VALUE",
                    $"A batch logging request can contain at most 1000 metrics, params, and tags in total. Got {total} total entities.");
            }

            return Locked(() =>
            {
                if ((string?)body["run_id"] is not { } id || !_runs.TryGetValue(id, out var run))
                {
                    return Error(404, "RESOURCE_DOES_NOT_EXIST", $"Run '{body["run_id"]}' not found");
                }

                var data = run["data"]!.AsObject();
                foreach (var (items, field) in new[] { (metrics, "metrics"), (parameters, "params"), (tags, "tags") })
                {
                    foreach (var item in items)
                    {
                        data[field]!.AsArray().Add(item!.DeepClone());
                    }
                }

                return Ok(new JsonObject());
            });
        });

        app.MapPut("/api/2.0/mlflow-artifacts/artifacts/{**path}", async (string path, HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            Artifacts[path] = buffer.ToArray();
            return Ok(new JsonObject());
        });

        app.MapGet("/api/2.0/mlflow-artifacts/artifacts/{**path}", (string path) =>
            Artifacts.TryGetValue(path, out var content)
                ? Results.Bytes(content, "application/octet-stream")
                : Error(404, "RESOURCE_DOES_NOT_EXIST", $"File {path} does not exist."));

        app.MapPost("/api/2.0/mlflow/registered-models/create", async (HttpRequest request) =>
        {
            var body = await Body(request);
            var name = (string?)body["name"] ?? string.Empty;
            return Locked(() =>
            {
                if (_versions.ContainsKey(name))
                {
                    return Error(400, "RESOURCE_ALREADY_EXISTS", $"Registered Model (name={name}) already exists.");
                }

                _versions[name] = [];
                return Ok(new JsonObject { ["registered_model"] = new JsonObject { ["name"] = name } });
            });
        });

        app.MapPost("/api/2.0/mlflow/model-versions/create", async (HttpRequest request) =>
        {
            var body = await Body(request);
            var name = (string?)body["name"] ?? string.Empty;
            return Locked(() =>
            {
                if (!_versions.TryGetValue(name, out var versions))
                {
                    return Error(404, "RESOURCE_DOES_NOT_EXIST", $"Registered Model with name={name} not found");
                }

                var version = new JsonObject
                {
                    ["name"] = name, ["version"] = (versions.Count + 1).ToString(CultureInfo.InvariantCulture), ["source"] = body["source"]?.DeepClone(),
                    ["run_id"] = body["run_id"]?.DeepClone(), ["status"] = "PENDING_REGISTRATION", ["aliases"] = new JsonArray(),
                };
                versions.Add(version);
                return Ok(new JsonObject { ["model_version"] = version.DeepClone() });
            });
        });

        app.MapGet("/api/2.0/mlflow/model-versions/get", (string? name, string? version) => Locked(() =>
        {
            if (Find(name, version) is not { } found)
            {
                return Error(404, "RESOURCE_DOES_NOT_EXIST", $"Model Version (name={name}, version={version}) not found");
            }

            var reads = _reads[(name!, version!)] = _reads.GetValueOrDefault((name!, version!)) + 1;
            if (reads > PendingPolls && (string?)found["status"] == "PENDING_REGISTRATION")
            {
                found["status"] = FailRegistration ? "FAILED_REGISTRATION" : "READY";
            }

            return Ok(new JsonObject { ["model_version"] = WithAliases(found) });
        }));

        app.MapPost("/api/2.0/mlflow/registered-models/alias", async (HttpRequest request) =>
        {
            var body = await Body(request);
            return Locked(() =>
            {
                var (name, alias, version) = ((string?)body["name"], (string?)body["alias"], (string?)body["version"]);
                if (Find(name, version) is null || string.IsNullOrEmpty(alias))
                {
                    return Error(404, "RESOURCE_DOES_NOT_EXIST", $"Model Version (name={name}, version={version}) not found");
                }

                _aliases[(name!, alias)] = version!;
                return Ok(new JsonObject());
            });
        });

        app.MapDelete("/api/2.0/mlflow/registered-models/alias", async (HttpRequest request) =>
        {
            var body = await Body(request);
            return Locked(() =>
            {
                _aliases.Remove(((string?)body["name"] ?? string.Empty, (string?)body["alias"] ?? string.Empty));
                return Ok(new JsonObject());
            });
        });

        app.MapGet("/api/2.0/mlflow/registered-models/alias", (string? name, string? alias) => Locked(() =>
            _aliases.TryGetValue((name ?? string.Empty, alias ?? string.Empty), out var version) && Find(name, version) is { } found
                ? Ok(new JsonObject { ["model_version"] = WithAliases(found) })
                : Error(400, "INVALID_PARAMETER_VALUE", $"Registered model alias {alias} not found.")));
    }

    private JsonObject? Find(string? name, string? version) =>
        name is not null && _versions.TryGetValue(name, out var versions) ? versions.FirstOrDefault(v => (string?)v["version"] == version) : null;

    private JsonObject WithAliases(JsonObject version)
    {
        var copy = version.DeepClone().AsObject();
        copy["aliases"] = new JsonArray([.. _aliases.Where(a => a.Key.Model == (string?)version["name"] && a.Value == (string?)version["version"]).Select(a => (JsonNode?)a.Key.Alias)]);
        return copy;
    }

    private IResult Locked(Func<IResult> action)
    {
        lock (_gate)
        {
            return action();
        }
    }

    private static async Task<JsonObject> Body(HttpRequest request) =>
        (await JsonSerializer.DeserializeAsync<JsonObject>(request.Body)) ?? [];

    private static IResult Ok(JsonObject body) => Results.Content(body.ToJsonString(), "application/json");

    private static IResult Error(int status, string code, string message) =>
        Results.Content(new JsonObject { ["error_code"] = code, ["message"] = message }.ToJsonString(), "application/json", statusCode: status);
}
