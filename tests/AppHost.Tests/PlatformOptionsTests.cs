using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using MlOps.AppHost.Hosting;
using MlOps.TestSupport;

namespace MlOps.AppHost.Tests;

public sealed class PlatformOptionsTests
{
    [Fact]
    public void Defaults_are_the_platform_table_and_the_data_folder_under_the_repository_root()
    {
        var options = From([("MlOps:Containers", "false")]);

        Assert.Equal(8000, options.PortOf(Platform.Gateway));
        Assert.Equal(8011, options.PortOf(Platform.Auth));
        Assert.Equal(8015, options.PortOf(Platform.Monitoring));
        Assert.Equal(RepositoryRoot.Combine(".mlops"), options.Home);
        Assert.False(options.UseContainers);
        Assert.Equal(1.0, options.TraceSampleRatio);
    }

    [Fact]
    public void Configuration_moves_ports_and_the_data_folder_and_forces_containers()
    {
        var options = From([("Ports:gateway", "18000"), ("MlOps:Home", "/tmp/somewhere"), ("MlOps:Containers", "true")]);

        Assert.Equal(18000, options.PortOf(Platform.Gateway));
        Assert.Equal("/tmp/somewhere", options.Home);
        Assert.Equal("/tmp/somewhere/postgres", options.PostgresData);
        Assert.True(options.UseContainers);
    }

    [Fact]
    public void Configuration_sets_the_share_of_traces_kept()
    {
        var options = From([("MlOps:TraceSampleRatio", "0.05"), ("MlOps:Containers", "false")]);

        Assert.Equal(0.05, options.TraceSampleRatio);
    }

    [Fact]
    public void Publishing_always_uses_containers()
    {
        var options = PlatformOptions.From(Configuration([("MlOps:Containers", "false")]), RepositoryRoot.Combine("AppHost"), isPublishMode: true);

        Assert.True(options.UseContainers);
    }

    [Theory]
    [InlineData("Ports:gateway", "eighty", "Ports:gateway must be a port number between 1 and 65535, not 'eighty'.")]
    [InlineData("Ports:gateway", "70000", "Ports:gateway must be a port number between 1 and 65535, not '70000'.")]
    [InlineData("Ports:redis", "6379", "Ports:redis names no resource of the platform")]
    [InlineData("MlOps:TraceSampleRatio", "1.5", "MlOps:TraceSampleRatio must be a number from 0 to 1 (e.g. 0.05), not '1.5'.")]
    [InlineData("MlOps:TraceSampleRatio", "5%", "MlOps:TraceSampleRatio must be a number from 0 to 1 (e.g. 0.05), not '5%'.")]
    [InlineData("MlOps:Containers", "maybe", "MlOps:Containers must be true or false, not 'maybe'.")]
    public void Bad_settings_are_refused_with_one_sentence_naming_them(string key, string value, string message)
    {
        var failure = Assert.Throws<PlatformStartException>(() => From([(key, value), ("MlOps:Containers", key == "MlOps:Containers" ? value : "false")]));

        Assert.StartsWith(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_taken_port_stops_the_start_naming_the_port_its_resource_and_the_fix()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var options = From([("Ports:trainer", port.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("MlOps:Containers", "false")]);

        var failure = Assert.Throws<PlatformStartException>(() => options.EnsurePortsFree([Platform.Trainer]));

        Assert.Equal(
            $"These ports on 127.0.0.1 are in use: {port} (trainer). Is the platform already running? Stop it, or move ours (e.g. Ports__gateway=18000).",
            failure.Message);
    }

    private static PlatformOptions From((string Key, string Value)[] settings) =>
        PlatformOptions.From(Configuration(settings), RepositoryRoot.Combine("AppHost"), isPublishMode: false);

    private static IConfiguration Configuration((string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.GroupBy(s => s.Key).Select(g => new KeyValuePair<string, string?>(g.Key, g.First().Value)))
            .Build();
}
