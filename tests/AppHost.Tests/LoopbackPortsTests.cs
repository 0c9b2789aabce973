using System.Net;
using System.Net.Sockets;
using MlOps.Hosting.Local.Networking;

namespace MlOps.AppHost.Tests;

public sealed class LoopbackPortsTests
{
    [Fact]
    public void Finds_a_free_port_and_sees_it_taken_once_bound()
    {
        var port = LoopbackPorts.FindFree();
        Assert.True(LoopbackPorts.IsFree(port));

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();

        Assert.False(LoopbackPorts.IsFree(port));
    }
}
