using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using NotifyActors.Server.Hosting;
using NotifyActors.Telemetry;

namespace NotifyActors.Server.Tests;

/// <summary>
/// The real service, built by <see cref="NotifyServer.Build"/> from an environment dictionary and
/// started on Kestrel at a free loopback port. Every spec starts its own and disposes it at its end
/// (stop, then dispose), so no state leaks from one spec into the next.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    public const string ApiKey = "integration-api-key-0123456789abcdef";
    // 64 bytes or more, so that a test can also sign with HS512 (which the service must refuse).
    public const string JwtSecret = "integration-tests-hs256-secret-0123456789abcdef-0123456789abcdef";
    public const string AdminToken = "integration-admin-token-0123456789";

    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);

    // A node is Up, and after its leave Exiting, once its leader acts: first after periodic-tasks-initial-delay,
    // then once per leader-actions-interval; and the exiting phase waits for the sharding coordinator's singleton,
    // which retries its hand-over every hand-over-retry-interval (1 s each by default). Every spec starts and stops
    // a service, so the specs' services do each every 100 ms.
    private const string SpecHocon = "akka.cluster { periodic-tasks-initial-delay = 100ms, leader-actions-interval = 100ms, singleton.hand-over-retry-interval = 100ms }\n";

    private readonly string _configFile;
    private bool _stopped;

    private ServiceHost(WebApplication app, Uri baseAddress, Uri adminAddress, string configFile)
    {
        App = app;
        BaseAddress = baseAddress;
        AdminAddress = adminAddress;
        _configFile = configFile;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseAddress { get; }

    /// <summary>The admin listener, http://127.0.0.1:PORT/ (its own free port).</summary>
    public Uri AdminAddress { get; }

    /// <summary>A client of the admin API with the admin token.</summary>
    public HttpClient AdminHttp(string? token = AdminToken)
    {
        var client = new HttpClient { BaseAddress = AdminAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public Uri WebSocketUri => new($"ws://{BaseAddress.Authority}/ws");

    /// <summary>A client without credentials; add them per request.</summary>
    public HttpClient Http { get; }

    public NotifyMetrics Metrics => App.Services.GetRequiredService<NotifyMetrics>();

    public ActorSystem ActorSystem => App.Services.GetRequiredService<ActorSystem>();

    /// <summary>
    /// Builds and starts the service. <paramref name="hocon"/>, when given, goes after the specs' own settings to a temporary file
    /// named by NOTIFY_CONFIG; <paramref name="environment"/> adds or replaces NOTIFY_* variables.
    /// </summary>
    public static async Task<ServiceHost> StartAsync(string? hocon = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var variables = new Dictionary<string, string?>
        {
            ["NOTIFY_URLS"] = "http://127.0.0.1:0",
            ["NOTIFY_ADMIN_URLS"] = "http://127.0.0.1:0",
            ["NOTIFY_API_KEYS"] = ApiKey,
            ["NOTIFY_JWT_SECRET"] = JwtSecret,
            ["NOTIFY_ADMIN_TOKEN"] = AdminToken,
            // A spec that is about the store names one; the others keep nothing between specs.
            ["NOTIFY_PERSISTENCE"] = "memory",
        };
        var configFile = Path.Combine(Path.GetTempPath(), $"notify-test-{Guid.NewGuid():N}.hocon");
        await File.WriteAllTextAsync(configFile, SpecHocon + hocon);
        variables["NOTIFY_CONFIG"] = configFile;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            variables[name] = value;

        // Request logging at Information costs CPU the load specs need; warnings still show.
        var app = NotifyServer.Build(["--Logging:LogLevel:Default=Warning"], variables, TextWriter.Null);
        using var start = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(start.Token);
        // The dead-letter counter subscribes to the EventStream in PreStart; once it answers, it counts.
        await app.Services.GetRequiredService<ActorSystem>().ActorSelection("/user/dead-letters")
            .Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(10));
        var admin = app.Services.GetRequiredService<Listeners>().AdminAddresses.Single();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a.TrimEnd('/') + "/"))
            .Single(a => a.Port != admin.Port);
        return new ServiceHost(app, address, admin, configFile);
    }

    /// <summary>POST /api/publish with the configured API key.</summary>
    public Task<HttpResponseMessage> PublishAsync(string channel, string dataJson, CancellationToken cancellationToken = default) =>
        PostJsonAsync("api/publish", $"{{\"channel\":{System.Text.Json.JsonSerializer.Serialize(channel)},\"data\":{dataJson}}}", ApiKey, cancellationToken);

    /// <summary>POST a raw JSON body; <paramref name="apiKey"/> null sends no Authorization header.</summary>
    public Task<HttpResponseMessage> PostJsonAsync(string path, string body, string? apiKey, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("apikey", apiKey);
        return Http.SendAsync(request, cancellationToken);
    }

    /// <summary>GET /metrics, parsed.</summary>
    public async Task<PrometheusText> ScrapeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var response = await Http.GetAsync("metrics", timeout.Token);
        response.EnsureSuccessStatusCode();
        return new PrometheusText(await response.Content.ReadAsStringAsync(timeout.Token));
    }

    /// <summary>GET /metrics on the admin listener, parsed (the public one may be full).</summary>
    public async Task<PrometheusText> AdminScrapeAsync()
    {
        using var admin = AdminHttp(token: null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var response = await admin.GetAsync("metrics", timeout.Token);
        response.EnsureSuccessStatusCode();
        return new PrometheusText(await response.Content.ReadAsStringAsync(timeout.Token));
    }

    /// <summary>Stops the service (drain included) and answers how long the stop took.</summary>
    public async Task<TimeSpan> StopAsync()
    {
        _stopped = true;
        var watch = Stopwatch.StartNew();
        using var limit = new CancellationTokenSource(StopLimit);
        // The drain blocks the thread that raises ApplicationStopping; keep it off the caller's.
        await Task.Run(() => App.StopAsync(limit.Token)).WaitAsync(StopLimit + TimeSpan.FromSeconds(10));
        return watch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_stopped)
                await StopAsync();
        }
        finally
        {
            Http.Dispose();
            await App.DisposeAsync();
            File.Delete(_configFile);
        }
    }
}
