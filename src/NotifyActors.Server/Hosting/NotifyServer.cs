using Akka.Hosting;
using NotifyActors.Channels;
using NotifyActors.Cluster;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Connections;
using NotifyActors.Server.Admin;
using NotifyActors.Server.Api;
using NotifyActors.Server.Auth;
using NotifyActors.Server.Cluster;
using NotifyActors.Server.Connections;
using NotifyActors.Server.Operations;
using NotifyActors.Server.Persistence;
using NotifyActors.Telemetry;
using OpenTelemetry.Metrics;

namespace NotifyActors.Server.Hosting;

/// <summary>Builds the whole service: configuration, the actor system, the endpoints.</summary>
public static class NotifyServer
{
    /// <summary>
    /// Builds the service from an environment (NOTIFY_* variables). Tests pass their own
    /// environment, so several services can run side by side in one process.
    /// Throws <see cref="SettingsException"/> for bad configuration.
    /// </summary>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?> environment, TextWriter console)
    {
        var config = ServiceConfiguration.Load(environment);
        var settings = ServiceSecrets.Resolve(NotifySettings.Create(config), out var generated);
        Listeners.Validate(settings);
        var publicConnections = settings.Tcp.PublicConnectionsWithin(OpenFileLimit.Current(), OpenFileLimit.InUse());
        foreach (var line in generated)
            console.WriteLine($"[development] generated {line}");

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // One Kestrel server listens on the public addresses and on the admin ones; Listeners remembers which is which.
        var listeners = new Listeners();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // ConnectionAdmission holds the public listeners to their share of the descriptors together;
            // Kestrel's own limit counts each listener alone, so it is the backstop: no listener beyond the whole budget.
            kestrel.Limits.MaxConcurrentConnections = publicConnections + settings.Tcp.MaxAdminConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = settings.Limits.MaxConnections;
            kestrel.Limits.RequestHeadersTimeout = settings.Tcp.RequestHeadersTimeout;
            listeners.Configure(kestrel, settings, kestrel.ApplicationServices.GetRequiredService<ConnectionAdmission>());
        });
        // One log line per request would drown the service's own lines at thousands of publishes per second.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Hosting logs only request starts and ends (below Warning anyway), but while its logger is enabled at
        // all it opens a log scope and an Activity per request, and a WebSocket request holds both for the
        // connection's whole life.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // A failed start ("Hosting failed to start", an Error with the exception) is reported by Program as one
        // line; what the host logs at Critical (a background service that stops the host) still shows.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = settings.Drain + TimeSpan.FromSeconds(5));

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<NotifyMetrics>();
        builder.Services.AddSingleton<Readiness>();
        builder.Services.AddSingleton<ClientAuthenticator>();
        builder.Services.AddSingleton<ApiKeyAuthorizer>();
        builder.Services.AddSingleton<ConnectionSlots>();
        builder.Services.AddSingleton(services => new ConnectionAdmission(
            publicConnections, settings.Tcp, services.GetRequiredService<NotifyMetrics>(), services.GetRequiredService<ILogger<ConnectionAdmission>>()));
        builder.Services.AddSingleton(listeners);
        builder.Services.AddSingleton<AdminAuthorizer>();
        builder.Services.AddSingleton<ClusterNodes>();
        builder.Services.AddSingleton(new DeadLetterRing(settings.Admin.DeadLetterRing));
        builder.Services.AddSingleton<StatsHistory>();
        builder.Services.AddHostedService<StatsSampler>();

        builder.Services.AddAkka(ClusterSetup.SystemName, (akka, services) =>
        {
            var metrics = services.GetRequiredService<NotifyMetrics>();
            var deadLetters = services.GetRequiredService<DeadLetterRing>();
            akka.AddHocon(config, HoconAddMode.Prepend)
                // A shutdown the cluster starts drains the connections in this phase (ConnectionDrain): give it the drain time.
                .AddHocon($"akka.coordinated-shutdown.phases.before-service-unbind.timeout = {(long)(settings.Drain + TimeSpan.FromSeconds(2)).TotalMilliseconds}ms", HoconAddMode.Prepend)
                .ConfigureLoggers(loggers => loggers.AddLoggerFactory())
                .WithChannelStore(settings.Persistence)
                .WithNotifyCluster(settings)
                .WithActors((system, registry) =>
                {
                    ClusterSetup.JoinIfAlone(system, settings);
                    registry.Register<ClusterMonitor>(system.ActorOf(ClusterMonitor.Props(metrics), "cluster-monitor"));
                    system.ActorOf(DeadLetterCounter.Props(metrics, deadLetters), "dead-letters");
                    system.ActorOf(LeakWatchdog.Props(metrics, settings.Watchdog), "leak-watchdog");
                    // Akka starts the store's plugins on first use; started here, they create their tables
                    // at start, and a store that is unreachable shows in the log at once.
                    ChannelStore.Start(system);
                    var owners = ChannelOwners.Start(system, settings, metrics);
                    var channels = system.ActorOf(ChannelRegistry.Props(settings, metrics, owners), "channels");
                    registry.Register<ChannelRegistry>(channels);
                    var connections = system.ActorOf(ConnectionsSupervisor.Props(settings, channels, metrics), "connections");
                    registry.Register<ConnectionsSupervisor>(connections);
                    system.ActorOf(NodeAgent.Props(metrics, connections), NodeAgent.Name);
                });
        });
        // Registered after Akka so that it is stopped first (hosted services stop in reverse order).
        builder.Services.AddHostedService<ConnectionDrain>();

        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MetricNames.Meter)
            .AddPrometheusExporter());

        var app = builder.Build();
        // A request whose headers arrived whole is past the admission's first-request deadline.
        var admission = app.Services.GetRequiredService<ConnectionAdmission>();
        app.Use((context, next) =>
        {
            admission.RequestStarted(context.Connection.Id);
            return next(context);
        });
        // The admin listeners are for operators: /ws and the server API exist only on the public addresses,
        // so opening an admin address to a private network never opens a way in for clients or back ends.
        app.Use((context, next) =>
        {
            var path = context.Request.Path;
            if ((path.StartsWithSegments("/ws") || path.StartsWithSegments("/connection") || path.StartsWithSegments("/api")) && listeners.IsAdmin(context.Connection))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(context);
        });
        // Application-level pings (notify.heartbeat) replace the protocol's keep-alive pings.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Map(WebSocketEndpoint.NativePath, WebSocketEndpoint.Handle);
        app.Map("/connection/websocket", WebSocketEndpoint.Handle);
        // Every server API endpoint needs an API key, checked before its body is read.
        var api = app.MapGroup("/api").AddEndpointFilter((context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<ApiKeyAuthorizer>().IsAuthorized(context.HttpContext.Request)
                ? next(context)
                : ValueTask.FromResult<object?>(ApiError.Unauthorized()));
        api.MapPost("/publish", PublishEndpoint.Handle);
        api.MapPost("/broadcast", BroadcastEndpoint.Handle);
        api.MapGet("/channels", ChannelsEndpoint.Handle);
        api.MapPost("/disconnect", DisconnectEndpoint.Handle);
        ChannelQueryEndpoints.Map(api);
        // Server API clients parse {"error":...} bodies; an unknown endpoint should be one too.
        app.MapFallback("/api/{**path}", () => ApiError.Of(StatusCodes.Status404NotFound, ErrorCodes.NotAvailable, "no such server API endpoint"));
        app.MapPrometheusScrapingEndpoint("/metrics");
        HealthEndpoints.Map(app);
        AdminEndpoints.Map(app);
        DashboardEndpoints.Map(app);
        return app;
    }
}
