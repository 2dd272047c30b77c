using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NotifyActors.Server.Tests;

/// <summary>
/// TCP connections that begin a WebSocket upgrade and never finish its headers (a slowloris), each from
/// a chosen loopback address (127.0.0.0/8 is all loopback on Linux). Each holds a descriptor of the
/// server until the server closes it or the flood is disposed.
/// </summary>
public sealed class PartialUpgradeFlood : IDisposable
{
    private static readonly byte[] PartialRequest = Encoding.ASCII.GetBytes("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");

    private readonly List<Socket> _sockets = [];

    private PartialUpgradeFlood()
    {
    }

    /// <summary>Sockets that connected (whether or not the server then closed them).</summary>
    public int Count => _sockets.Count;

    /// <summary>127.0.0.2, 127.0.0.3, ...: <paramref name="count"/> client addresses other than the specs' own 127.0.0.1.</summary>
    public static IReadOnlyList<IPAddress> Sources(int count) =>
        Enumerable.Range(2, count).Select(last => IPAddress.Parse($"127.0.0.{last}")).ToList();

    public static async Task<PartialUpgradeFlood> OpenAsync(int port, IReadOnlyList<IPAddress> sources, int perSource)
    {
        var flood = new PartialUpgradeFlood();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var source in sources)
        {
            for (var i = 0; i < perSource; i++)
                await flood.OpenOneAsync(source, port, timeout.Token);
        }
        return flood;
    }

    /// <summary>Opens one more from <paramref name="source"/>.</summary>
    public async Task OpenOneAsync(IPAddress source, int port, CancellationToken cancellation)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(socket);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation);
        try
        {
            await socket.SendAsync(PartialRequest, SocketFlags.None, cancellation);
        }
        catch (SocketException)
        {
            // Refused: the server closed it at once (it may reset before the send).
        }
    }

    /// <summary>How many the server has closed by now (end of stream or reset on the client's side).</summary>
    public int ClosedByServer() => _sockets.Count(IsClosed);

    private static bool IsClosed(Socket socket)
    {
        var discard = new byte[512];
        try
        {
            // Whatever the server sent before closing (a 408 after a header timeout) is read and dropped;
            // a read of nothing from a readable socket is its FIN.
            while (socket.Poll(0, SelectMode.SelectRead))
            {
                if (socket.Receive(discard) == 0)
                    return true;
            }
            return false;
        }
        catch (SocketException)
        {
            return true; // reset
        }
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
            socket.Dispose();
    }
}
