using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace NotifyActors.Tests.Support;

/// <summary>
/// A real WebSocket over a real TCP connection on 127.0.0.1, without HTTP: the server end goes to
/// the actor under test, the client end to the spec. Small kernel buffers make a client that
/// stops reading fill up quickly, as a slow consumer does.
/// </summary>
public sealed class LoopbackSocketPair : IDisposable
{
    private readonly Socket _serverSocket;
    private readonly Socket _clientSocket;

    private LoopbackSocketPair(Socket serverSocket, Socket clientSocket)
    {
        _serverSocket = serverSocket;
        _clientSocket = clientSocket;
        Server = WebSocket.CreateFromStream(new NetworkStream(serverSocket, ownsSocket: true), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        Client = new TestClient(WebSocket.CreateFromStream(new NetworkStream(clientSocket, ownsSocket: true), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero }));
    }

    public WebSocket Server { get; }

    public TestClient Client { get; }

    public static async Task<LoopbackSocketPair> OpenAsync(int? kernelBufferBytes = null)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (kernelBufferBytes is { } size)
            listener.ReceiveBufferSize = listener.SendBufferSize = size;
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (kernelBufferBytes is { } bytes)
            client.ReceiveBufferSize = client.SendBufferSize = bytes;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var accept = listener.AcceptAsync(timeout.Token);
        await client.ConnectAsync(listener.LocalEndPoint!, timeout.Token);
        var server = await accept;
        if (kernelBufferBytes is { } sent)
            server.ReceiveBufferSize = server.SendBufferSize = sent;
        return new LoopbackSocketPair(server, client);
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        _serverSocket.Dispose();
        _clientSocket.Dispose();
    }
}
