using System.Net;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class ApiFallbackSpecs
{
    [Fact]
    public async Task An_unknown_server_api_endpoint_is_404_with_an_error_body()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.Http.GetAsync("/api/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("not_available", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
