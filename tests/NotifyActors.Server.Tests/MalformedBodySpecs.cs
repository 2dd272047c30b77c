using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// Bodies Kestrel itself cannot read (a chunk size that overflows, a malformed chunk) are the client's
/// error: 400 with the error body on every endpoint that reads one, never a 500. Sent as raw HTTP,
/// since HttpClient will not write such a request.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class MalformedBodySpecs
{
    public static TheoryData<string, string> Cases => new()
    {
        { "api/publish", "FFFFFFFFFFFFFFFFFF\r\n" },
        { "api/broadcast", "FFFFFFFFFFFFFFFFFF\r\n" },
        { "api/disconnect", "FFFFFFFFFFFFFFFFFF\r\n" },
        { "admin/disconnect", "FFFFFFFFFFFFFFFFFF\r\n" },
        { "api/publish", "zz\r\n" },
        { "api/publish", "5;\u0001=x\r\nhello\r\n0\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_body_kestrel_cannot_read_is_400_with_the_error_body(string path, string chunked)
    {
        await using var server = await ServiceHost.StartAsync();
        var admin = path.StartsWith("admin/", StringComparison.Ordinal);
        var port = admin ? server.AdminAddress.Port : server.BaseAddress.Port;
        var authorization = admin ? $"Bearer {ServiceHost.AdminToken}" : $"apikey {ServiceHost.ApiKey}";

        var (status, body) = await PostChunkedAsync(port, path, authorization, chunked);

        Assert.Equal(400, status);
        using var error = JsonDocument.Parse(body);
        Assert.Equal("bad_request", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        // The service goes on answering.
        using var response = await server.PublishAsync("news", "1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<(int Status, string Body)> PostChunkedAsync(int port, string path, string authorization, string chunked)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
        var request = $"POST /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {authorization}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunked}";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, timeout.Token);
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            answer.Write(buffer, 0, read);
        var text = Encoding.UTF8.GetString(answer.ToArray());
        var status = int.Parse(text.Split(' ')[1]);
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var body = text[(headerEnd + 4)..];
        // Connection: close, so the body is either as it stands or chunked: take the JSON object in it.
        var start = body.IndexOf('{');
        return (status, start < 0 ? body : body[start..(body.LastIndexOf('}') + 1)]);
    }
}
