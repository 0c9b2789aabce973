using System.Net;
using System.Net.Sockets;

namespace MlOps.TestSupport;

/// <summary>TCP ports on 127.0.0.1: finding a free one (for tests) and checking that a fixed one is free.</summary>
public static class LoopbackPorts
{
    /// <summary>A port the system considers free right now; another process may still take it before it is used.</summary>
    public static int FindFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
