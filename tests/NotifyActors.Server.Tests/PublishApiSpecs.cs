using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>POST /api/publish: authorization, body limits, validation, and the 200 answer.</summary>
[Collection(ServerCollection.Name)]
public sealed class PublishApiSpecs
{
    [Fact]
    public async Task Publish_is_answered_with_channel_offset_and_epoch()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.PublishAsync("news", """{"a":1}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("news", body.GetProperty("channel").GetString());
        Assert.Equal(1, body.GetProperty("offset").GetInt64());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("epoch").GetString()));
    }

    [Fact]
    public async Task Consecutive_publishes_to_a_subscribed_channel_get_consecutive_offsets_in_one_epoch()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var subscribed = await client.SubscribeAsync("news", id: 1);

        for (var i = 1; i <= 5; i++)
        {
            using var response = await server.PublishAsync("news", "null");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(i, body.GetProperty("offset").GetInt64());
            Assert.Equal(subscribed.GetProperty("epoch").GetString(), body.GetProperty("epoch").GetString());
        }
    }

    [Theory]
    [InlineData("null")]
    [InlineData("0")]
    [InlineData("-1.5e3")]
    [InlineData("\"text with \\\"quotes\\\" and \\u00e9\"")]
    [InlineData("[]")]
    [InlineData("[{\"deep\":[[[]]]},false]")]
    public async Task Any_JSON_value_is_delivered_as_published(string data)
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("values", id: 1);

        using (var response = await server.PublishAsync("values", data))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var pub = await client.ReceiveJsonAsync();
        Assert.Equal(data, pub.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Wrong_api_key_is_401_with_an_error_body()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.PostJsonAsync("api/publish", """{"channel":"news","data":1}""", apiKey: "not-the-key-0123456789");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertErrorBody(response, code: null);
    }

    [Fact]
    public async Task Missing_api_key_is_401_with_an_error_body()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.PostJsonAsync("api/publish", """{"channel":"news","data":1}""", apiKey: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertErrorBody(response, code: null);
    }

    [Fact]
    public async Task Api_key_in_another_scheme_is_401()
    {
        await using var server = await ServiceHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/publish")
        {
            Content = new StringContent("""{"channel":"news","data":1}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServiceHost.ApiKey);

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Unauthorized_publish_reaches_no_subscriber()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("news", id: 1);

        using (var response = await server.PostJsonAsync("api/publish", """{"channel":"news","data":"forged"}""", apiKey: "wrong-key-0123456789abc"))
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using (var response = await server.PublishAsync("news", "\"real\""))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var pub = await client.ReceiveJsonAsync();
        Assert.Equal("real", pub.GetProperty("data").GetString());
        Assert.Equal(1, pub.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Body_over_the_default_limit_of_65536_bytes_is_413()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.PostJsonAsync("api/publish", BodyOfSize(65537), ServiceHost.ApiKey);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertErrorBody(response, "limit_exceeded");
    }

    [Fact]
    public async Task Body_of_exactly_the_limit_is_accepted()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.PostJsonAsync("api/publish", BodyOfSize(65536), ServiceHost.ApiKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_without_content_length_is_413()
    {
        await using var server = await ServiceHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/publish")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(BodyOfSize(70_000)))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Authorization = new AuthenticationHeaderValue("apikey", ServiceHost.ApiKey);

        using var response = await server.Http.SendAsync(request);

        Assert.Null(request.Content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Configured_publish_limit_is_enforced()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-publish-bytes = 1000");

        using (var atLimit = await server.PostJsonAsync("api/publish", BodyOfSize(1000), ServiceHost.ApiKey))
            Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        using var over = await server.PostJsonAsync("api/publish", BodyOfSize(1001), ServiceHost.ApiKey);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
    }

    [Theory]
    [InlineData("invalid JSON", """{"channel":"news","data":""", "bad_request")]
    [InlineData("an empty body", "", "bad_request")]
    [InlineData("a JSON array", """[{"channel":"news","data":1}]""", "bad_request")]
    [InlineData("a missing channel", """{"data":1}""", "bad_request")]
    [InlineData("a channel that is a number", """{"channel":5,"data":1}""", "bad_request")]
    [InlineData("invalid channel characters", """{"channel":"bad channel!","data":1}""", "invalid_channel")]
    [InlineData("an unknown namespace", """{"channel":"nope:x","data":1}""", "invalid_channel")]
    [InlineData("missing data", """{"channel":"news"}""", "bad_request")]
    [InlineData("a lone surrogate in the channel", """{"channel":"news\ud800","data":1}""", "bad_request")]
    public async Task Bad_publish_body_is_400_with_its_error_code(string what, string body, string code)
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.PostJsonAsync("api/publish", body, ServiceHost.ApiKey);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: expected 400, got {(int)response.StatusCode}");
        await AssertErrorBody(response, code);
    }

    [Fact]
    public async Task Channel_longer_than_255_bytes_is_400_invalid_channel()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.PublishAsync(new string('c', 256), "1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertErrorBody(response, "invalid_channel");
    }

    private static readonly HashSet<string?> DocumentedCodes =
        ["bad_request", "unknown_op", "permission_denied", "invalid_channel", "limit_exceeded", "not_available", "internal"];

    /// <summary>A valid publish body of exactly <paramref name="bytes"/> bytes (the data is a padded string).</summary>
    private static string BodyOfSize(int bytes)
    {
        const string head = """{"channel":"big","data":" """;
        var body = head.TrimEnd() + new string('d', bytes - head.TrimEnd().Length - 2) + "\"}";
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(body));
        return body;
    }

    private static async Task AssertErrorBody(HttpResponseMessage response, string? code)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error");
        var actualCode = error.GetProperty("code").GetString();
        Assert.True(DocumentedCodes.Contains(actualCode), $"error code is not one PROTOCOL.md names: {text}");
        if (code is not null)
            Assert.Equal(code, actualCode);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), $"error without a message: {text}");
    }
}
