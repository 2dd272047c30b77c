using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NotifyActors.Server.Tests;

/// <summary>
/// The dashboard in a real browser (Debian's chromium through Playwright, headless) against a real
/// service: sign in with the admin token, watch real connections arrive, see a chart draw, disconnect
/// a subscriber from its table row. Leaves artifacts/dashboard.png behind.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class DashboardSpecs
{
    private const float Timeout = 20_000;

    [Fact]
    public async Task An_operator_signs_in_watches_connections_arrive_and_disconnects_one()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var chromium = await Chromium.LaunchAsync();
        var origin = $"http://{server.AdminAddress.Authority}";
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        // Assertions have their own default wait (5 s), which is also how often the page refreshes
        // its tables: a row could appear just after the wait gave up (seen once in CI).
        SetDefaultExpectTimeout(Timeout);
        var requested = new List<string>();
        var scriptErrors = new List<string>();
        page.Request += (_, request) => { lock (requested) requested.Add(request.Url); };
        page.PageError += (_, error) => { lock (scriptErrors) scriptErrors.Add(error); };

        await page.GotoAsync(origin + "/dashboard");

        // A wrong token is refused and nothing is shown.
        await page.FillAsync("#token", "not-the-admin-token");
        await page.ClickAsync("#login-form button");
        await Expect(page.Locator("#login-error")).ToContainTextAsync("refused");
        await Expect(page.Locator("#board")).ToBeHiddenAsync();

        await page.FillAsync("#token", ServiceHost.AdminToken);
        await page.ClickAsync("#login-form button");
        await Expect(page.Locator("#board")).ToBeVisibleAsync();
        await Expect(Stat(page, "connections")).ToHaveTextAsync("0");

        var clients = new List<TestClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var alice = await AdminApiSpecs.ConnectAs(server, "alice");
                clients.Add(alice);
                await alice.SubscribeAsync("news", id: 1);
                var bob = await AdminApiSpecs.ConnectAs(server, "bob");
                clients.Add(bob);
                await bob.SubscribeAsync("sport", id: 1);
            }
            // A user id is chosen by whoever issues tokens: it must show as text, never run as markup.
            const string markup = "<img src=x onerror=\"document.title='owned'\">";
            var odd = await AdminApiSpecs.ConnectAs(server, markup);
            clients.Add(odd);
            await odd.SubscribeAsync("sport", id: 1);
            for (var n = 1; n <= 20; n++)
                (await server.PublishAsync("news", n.ToString())).EnsureSuccessStatusCode();

            await Expect(Stat(page, "connections")).ToHaveTextAsync("7");
            await Expect(Stat(page, "subscriber_actors")).ToHaveTextAsync("7");
            await Expect(Stat(page, "channels")).ToHaveTextAsync("2");
            var news = page.Locator("#channels tr[data-channel=\"news\"] td");
            await Expect(news.Nth(1)).ToHaveTextAsync("3");
            await Expect(news.Nth(2)).ToHaveTextAsync("20");
            var oddRow = page.Locator($"#subscribers tr[data-client=\"{AdminApiSpecs.ClientId(odd)}\"] td");
            await Expect(oddRow.Nth(1)).ToHaveTextAsync(markup);
            Assert.Equal(0, await page.Locator("#subscribers img").CountAsync());
            Assert.NotEqual("owned", await page.TitleAsync());
            await Expect(page.Locator("#subscribers tbody tr")).ToHaveCountAsync(7);
            // A single node is a cluster of one: its row, and the total row.
            var self = Akka.Cluster.Cluster.Get(server.ActorSystem).SelfAddress;
            var node = page.Locator($"#nodes tr[data-node=\"{self.Host}:{self.Port}\"] td");
            await Expect(node.Nth(0)).ToContainTextAsync("(this node)");
            await Expect(node.Nth(1)).ToHaveTextAsync("up");
            await Expect(node.Nth(3)).ToHaveTextAsync("7");
            await Expect(page.Locator("#nodes tr.total td").Nth(3)).ToHaveTextAsync("7");
            // The connections chart has drawn a line up to 7: blue pixels, several samples, newest value 7.
            await page.WaitForFunctionAsync("""
                () => {
                  const canvas = document.querySelector('canvas[data-chart="connections"]');
                  if (Number(canvas.dataset.points) < 2 || canvas.dataset.last !== '7') return false;
                  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                  let line = 0;
                  for (let i = 0; i < pixels.length; i += 4)
                    if (pixels[i + 2] > 200 && pixels[i] < 80 && pixels[i + 3] > 0) line++;
                  return line > 50;
                }
                """, null, new PageWaitForFunctionOptions { Timeout = Timeout });

            var victim = clients[1];
            var id = AdminApiSpecs.ClientId(victim);
            var row = page.Locator($"#subscribers tr[data-client=\"{id}\"]");
            await row.Locator("button").ClickAsync();
            await Expect(row.Locator("button")).ToHaveTextAsync("Confirm disconnect");
            await row.Locator("button").ClickAsync();

            Assert.Equal(4003, (int?)await victim.ReceiveCloseAsync());
            await Expect(page.Locator("#action-result")).ToContainTextAsync($"Disconnected {id}");
            await Expect(row).ToHaveCountAsync(0);
            await Expect(page.Locator("#subscribers tbody tr")).ToHaveCountAsync(6);
            await Expect(Stat(page, "connections")).ToHaveTextAsync("6");

            // The token is kept for this tab's session: a reload goes straight back to the board.
            await page.ReloadAsync();
            await Expect(page.Locator("#board")).ToBeVisibleAsync();
            await Expect(Stat(page, "connections")).ToHaveTextAsync("6");
            // The charts come back whole: the server kept the samples taken before the reload.
            var points = await page.EvaluateAsync<int>("() => Number(document.querySelector('canvas[data-chart=\"connections\"]').dataset.points)");
            Assert.True(points > 2, $"the connections chart has {points} points after a reload");
            await Expect(page.Locator("#subscribers tbody tr")).ToHaveCountAsync(6);

            var screenshot = Path.Combine(Chromium.ArtifactsDirectory(), "dashboard.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot was written");
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }

        lock (scriptErrors)
            Assert.Empty(scriptErrors);
        lock (requested)
            Assert.All(requested, url => Assert.StartsWith(origin + "/", url)); // no CDN, nothing external
    }

    [Fact]
    public async Task The_dashboard_is_served_on_the_admin_listener_only_with_a_policy_that_keeps_it_on_its_origin()
    {
        await using var server = await ServiceHost.StartAsync();
        using var admin = server.AdminHttp(token: null);

        using var page = await admin.GetAsync("dashboard/");
        using var script = await admin.GetAsync("dashboard/dashboard.js");
        using var unknown = await admin.GetAsync("dashboard/secrets.json");
        using var onPublic = await server.Http.GetAsync("dashboard/");

        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("connect-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, onPublic.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "")); // no external script, style or font
        Assert.DoesNotContain("https://", html);
    }

    private static ILocator Stat(IPage page, string name) => page.Locator($"[data-stat=\"{name}\"]");
}
