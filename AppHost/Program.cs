#if USE_ASPIRE
// Aspire mode: a .NET Aspire 13 AppHost. PostgreSQL, MLflow, Prometheus and Grafana run as containers, the
// services as projects, and the Aspire dashboard shows their traces, logs and metrics.
using MlOps.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var postgres = builder.AddPostgres(Platform.Postgres).WithDataVolume();
var db = postgres.AddDatabase(Platform.Database);

// No default password or secret ships: Aspire asks for these unless Parameters:mlops-admin-password and
// Parameters:mlops-services-client-secret are configured.
var adminPassword = builder.AddParameter("mlops-admin-password", secret: true);
var servicesClientSecret = builder.AddParameter("mlops-services-client-secret", secret: true);

// MLflow with its own SQLite store and artifact folder on a volume (the image has neither psycopg2 nor boto3), serving
// artifacts itself: the trainer's mirror uploads through the tracking server's artifact proxy (docs/mlflow.md).
var mlflow = builder.AddContainer("mlflow", "ghcr.io/mlflow/mlflow")
    .WithVolume("mlops-mlflow", "/mlflow")
    .WithArgs(
        "mlflow", "server", "--host", "0.0.0.0", "--port", "5000",
        "--backend-store-uri", "sqlite:////mlflow/mlflow.db",
        "--serve-artifacts", "--artifacts-destination", "/mlflow/artifacts")
    .WithHttpEndpoint(targetPort: 5000, name: "http");

// deploy/prometheus/prometheus.yml scrapes the services on the host at their fixed ports (below) and loads the
// recording and alerting rules of deploy/prometheus/rules.
builder.AddContainer(Platform.Prometheus, "prom/prometheus")
    .WithBindMount("../deploy/prometheus", "/etc/prometheus", isReadOnly: true)
    .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway")
    .WithHttpEndpoint(targetPort: 9090, name: "http");

// Grafana with the Prometheus data source and the four dashboards provisioned (deploy/grafana/provisioning); viewing
// needs no login, editing does (admin, with the password Grafana asks to change on first sign-in).
builder.AddContainer("grafana", "grafana/grafana")
    .WithBindMount("../deploy/grafana/provisioning", "/etc/grafana/provisioning", isReadOnly: true)
    .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
    .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
    .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "/etc/grafana/provisioning/dashboards/platform.json")
    .WithHttpEndpoint(targetPort: 3000, name: "http");

// Each project has a launch profile, which already owns the endpoint named "http": pin the ports of the platform
// table on it, the same as in local mode, so clients and Prometheus find every service at a known address.
static int PortOf(string name) => Platform.Services.Single(service => service.Name == name).DefaultPort;

var auth = builder.AddProject<Projects.AuthService>(Platform.Auth)
    .WithEndpoint("http", endpoint => endpoint.Port = PortOf(Platform.Auth))
    .WithEnvironment("MLOPS_ADMIN_PASSWORD", adminPassword);
var data = builder.AddProject<Projects.DataService>("data")
    .WithEndpoint("http", endpoint => endpoint.Port = PortOf("data"));
var trainer = builder.AddProject<Projects.TrainerService>("trainer")
    .WithEndpoint("http", endpoint => endpoint.Port = PortOf("trainer"))
    .WithEnvironment("MLflow__TrackingUri", mlflow.GetEndpoint("http"));
var serving = builder.AddProject<Projects.ServingService>("serving")
    .WithEndpoint("http", endpoint => endpoint.Port = PortOf("serving"));
var monitoring = builder.AddProject<Projects.MonitoringService>("monitoring")
    .WithEndpoint("http", endpoint => endpoint.Port = PortOf("monitoring"));

// As in local mode, every service gets the database and the address of every other service.
IResourceBuilder<ProjectResource>[] services = [auth, data, trainer, serving, monitoring];
foreach (var service in services)
{
    service.WithReference(db).WaitFor(db)
        .WithEnvironment("Auth__Client__ClientId", Platform.ServicesClientId)
        .WithEnvironment("Auth__Client__ClientSecret", servicesClientSecret);
    foreach (var other in services.Where(other => other != service))
    {
        service.WithReference(other);
    }
}

var gateway = builder.AddProject<Projects.Gateway>(Platform.Gateway)
    .WithEndpoint("http", endpoint => endpoint.Port = PortOf(Platform.Gateway))
    .WithExternalHttpEndpoints();
foreach (var service in services)
{
    gateway.WithReference(service).WaitFor(service);
}

builder.Build().Run();
#else
// Local mode: the same topology as local processes (see Local/LocalLauncher.cs).
return await MlOps.AppHost.Local.LocalEntryPoint.RunAsync(args);
#endif
