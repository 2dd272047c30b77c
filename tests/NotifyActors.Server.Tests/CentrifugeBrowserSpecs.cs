using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NotifyActors.Server.Tests;

/// <summary>
/// docs/examples/centrifuge-browser.html, the documented page that uses Centrifugo's browser SDK (npm centrifuge's
/// dist bundle), in a real browser (Debian's chromium) against the service: it connects, subscribes, receives, and
/// after a disconnect recovers what it missed. The page and the bundle are served from a second loopback server, as
/// a developer serving the example locally would (chromium keeps pages of other origins from opening loopback sockets).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class CentrifugeBrowserSpecs
{
    private const float Timeout = 20_000;

    [Fact]
    public async Task The_documented_browser_page_connects_subscribes_receives_and_recovers_after_a_disconnect()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var pages = await StartPageServerAsync();
        var origin = pages.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        await using var chromium = await Chromium.LaunchAsync();
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        SetDefaultExpectTimeout(Timeout);
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => { lock (scriptErrors) scriptErrors.Add(error); };
        var log = page.Locator("#log");

        var socket = CentrifugoWire.UriOf(server);
        await page.GotoAsync($"{origin}/centrifuge-browser.html?server={Uri.EscapeDataString(socket.ToString())}&channel=chat:lobby&token={TestTokens.Valid("alice")}");
        await Expect(log).ToContainTextAsync("subscribed to chat:lobby (recovered: false)");
        await server.PublishOkAsync("chat:lobby", """{"text":"first"}""");
        await Expect(log).ToContainTextAsync("""publication 1: {"text":"first"}""");

        await page.EvaluateAsync("centrifuge.disconnect()");
        await Expect(log).ToContainTextAsync("disconnected");
        await server.PublishOkAsync("chat:lobby", """{"text":"missed 1"}""");
        await server.PublishOkAsync("chat:lobby", """{"text":"missed 2"}""");
        await page.EvaluateAsync("centrifuge.connect()");

        await Expect(log).ToContainTextAsync("subscribed to chat:lobby (recovered: true)");
        await Expect(log).ToContainTextAsync("""publication 3: {"text":"missed 2"}""");
        var lines = (await log.TextContentAsync())!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["""publication 1: {"text":"first"}""", """publication 2: {"text":"missed 1"}""", """publication 3: {"text":"missed 2"}"""],
            lines.Where(l => l.StartsWith("publication", StringComparison.Ordinal)));
        Assert.Empty(scriptErrors);
    }

    /// <summary>Serves the page from docs/examples and the SDK's browser bundle from the npm package test.sh installs, on 127.0.0.1.</summary>
    private static async Task<WebApplication> StartPageServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/centrifuge-browser.html", () =>
            Results.File(Path.Combine(RepositoryRoot.Path, "docs", "examples", "centrifuge-browser.html"), "text/html; charset=utf-8"));
        app.MapGet("/node_modules/centrifuge/dist/centrifuge.js", () =>
            Results.File(Path.Combine(RepositoryRoot.Path, "tests", "centrifuge-sdk", "node_modules", "centrifuge", "dist", "centrifuge.js"), "text/javascript"));
        using var start = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(start.Token);
        return app;
    }
}
