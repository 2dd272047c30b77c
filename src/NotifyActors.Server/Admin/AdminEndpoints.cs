using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Connections;
using NotifyActors.Protocol;
using NotifyActors.Cluster;
using NotifyActors.Server.Api;
using NotifyActors.Server.Auth;
using NotifyActors.Server.Cluster;
using NotifyActors.Server.Hosting;
using NotifyActors.Telemetry;

namespace NotifyActors.Server.Admin;

/// <summary>
/// The admin API, /admin/*, for operators and notifyctl. Served only to connections that arrived on an
/// admin listener (notify.admin.urls; on a public address the paths do not exist: 404), and only with
/// "Authorization: Bearer &lt;admin token&gt;" (else 401). Bodies are JSON with snake_case names.
/// GET stats, nodes, channels, subscribers, deadletters, actors (the paged tree); POST disconnect, leave.
/// stats, channels, subscribers, deadletters and actors are this node's; nodes and disconnect are the cluster's
/// (ClusterNodes asks every node).
/// </summary>
public static class AdminEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    // How long the connections have to say what they hold; within notify.cluster.ask-timeout, so that a partial
    // listing comes back before the ask for it times out.
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static void Map(WebApplication app)
    {
        var started = DateTimeOffset.UtcNow;
        var admin = app.MapGroup("/admin").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!http.RequestServices.GetRequiredService<Listeners>().IsAdmin(http.Connection))
                return Results.NotFound();
            if (!http.RequestServices.GetRequiredService<AdminAuthorizer>().IsAuthorized(http.Request))
                return Error(StatusCodes.Status401Unauthorized, ErrorCodes.PermissionDenied, "missing or invalid admin token (Authorization: Bearer <token>)");
            return await next(context);
        });

        admin.MapGet("/stats", (NotifyMetrics metrics) => Results.Json(StatsResponse.Of(NodeStats.Of(metrics, started)), Json));
        admin.MapGet("/nodes", NodesEndpoint.Nodes);
        admin.MapPost("/leave", NodesEndpoint.Leave);
        admin.MapGet("/stats/history", StatsHistoryPage);
        admin.MapGet("/channels", Channels);
        admin.MapGet("/subscribers", Subscribers);
        admin.MapGet("/deadletters", (DeadLetterRing ring) =>
            Results.Json(new DeadLettersResponse(ring.Capacity, ring.Snapshot()), Json));
        admin.MapPost("/disconnect", Disconnect);
        admin.MapGet("/actors", Actors);
    }

    /// <summary>?after=&lt;unix ms&gt;: only the samples taken after it (a dashboard asks for what it has not seen).</summary>
    private static IResult StatsHistoryPage(HttpRequest request, StatsHistory history)
    {
        var after = request.Query["after"].ToString();
        long? since = null;
        if (after.Length > 0)
        {
            if (!long.TryParse(after, out var value) || value < 0)
                return Error(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, "\"after\" must be a time in unix milliseconds");
            since = value;
        }
        return Results.Json(new StatsHistoryResponse(StatsHistory.Interval.TotalSeconds, history.Since(since)), Json);
    }

    private static IResult Channels(HttpRequest request, ActorSystem system)
    {
        if (Limit(request) is not { } limit)
            return Error(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, $"\"limit\" must be a whole number from 1 to {MaxLimit}");
        // Operators see every live channel, also those kept alive only for their history.
        var all = ChannelDirectory.For(system).List(request.Query["prefix"].ToString(), includeIdle: true);
        var channels = all.Take(limit).Select(c => new ChannelRow(c.Name, c.Subscribers, c.Offset, c.Epoch, c.HistoryLength)).ToList();
        return Results.Json(new ChannelsResponse(channels, all.Count), Json);
    }

    /// <summary>?path=/user (default)&amp;depth=1..5 (1)&amp;page=1..&amp;size=1..500 (100).</summary>
    private static IResult Actors(HttpRequest request, ActorSystem system)
    {
        var path = request.Query["path"].ToString();
        var depth = Number(request, "depth", 1, 1, ActorTree.MaxDepth);
        var page = Number(request, "page", 1, 1, int.MaxValue);
        var size = Number(request, "size", ActorTree.DefaultPageSize, 1, ActorTree.MaxPageSize);
        if (depth is null || page is null || size is null)
            return Error(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest,
                $"depth must be 1 to {ActorTree.MaxDepth}, page 1 or more, size 1 to {ActorTree.MaxPageSize}");
        var tree = ActorTree.Page(system, path.Length == 0 ? "/user" : path, depth.Value, page.Value, size.Value);
        return tree is null
            ? Error(StatusCodes.Status404NotFound, ErrorCodes.BadRequest, $"no actor at '{path}'")
            : Results.Json(tree, Json);
    }

    private static int? Number(HttpRequest request, string name, int fallback, int min, int max)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
            return fallback;
        return int.TryParse(text, out var value) && value >= min && value <= max ? value : null;
    }

    private static async Task<IResult> Subscribers(HttpRequest request, NotifySettings settings, IRequiredActor<ConnectionsSupervisor> connections)
    {
        if (Limit(request) is not { } limit)
            return Error(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, $"\"limit\" must be a whole number from 1 to {MaxLimit}");
        var user = NonEmpty(request.Query["user"].ToString());
        var channel = NonEmpty(request.Query["channel"].ToString());
        SubscriberQuery.Result result;
        try
        {
            result = await connections.ActorRef.Ask<SubscriberQuery.Result>(
                new ConnectionsSupervisor.ListSubscribers(user, channel, limit, QueryTimeout), settings.Cluster.AskTimeout);
        }
        catch (AskTimeoutException)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Internal, "the connections did not answer in time");
        }
        var rows = result.Subscribers
            .Select(s => new SubscriberRow(s.ClientId, s.User, s.RemoteAddress, s.Protocol, s.Channels, s.ConnectedSince, s.QueueFrames, s.QueueBytes, s.LastSignOfLife ?? s.ConnectedSince))
            .ToList();
        return Results.Json(new SubscribersResponse(rows, result.Matched, result.Complete), Json);
    }

    private static async Task<IResult> Disconnect(HttpRequest request, NotifySettings settings, ClusterNodes nodes)
    {
        var (body, rejected) = await RequestBody.ReadAsync(request, settings.Limits.MaxPublishBytes);
        if (body is null)
            return rejected!;
        var (user, client, error) = DisconnectEndpoint.Parse(body);
        if (error is not null)
            return error;
        var (count, missing) = await DisconnectEndpoint.DisconnectAsync(nodes, user, client);
        return missing ?? Results.Json(new DisconnectResponse(count!.Value), Json);
    }

    private static int? Limit(HttpRequest request)
    {
        var text = request.Query["limit"].ToString();
        if (text.Length == 0)
            return DefaultLimit;
        return int.TryParse(text, out var limit) && limit is >= 1 and <= MaxLimit ? limit : null;
    }

    private static string? NonEmpty(string value) => value.Length == 0 ? null : value;

    public static IResult Error(int status, string code, string message) =>
        Results.Json(new ErrorBody(new ApiError.ErrorDetail(code, message)), Json, statusCode: status);

    private sealed record ErrorBody(ApiError.ErrorDetail Error);

    private sealed record StatsHistoryResponse(double IntervalSeconds, IReadOnlyList<StatsSample> Samples);

    private sealed record ChannelsResponse(IReadOnlyList<ChannelRow> Channels, int Total);

    private sealed record ChannelRow(string Name, int Subscribers, long Offset, string Epoch, int HistoryLength);

    private sealed record SubscribersResponse(IReadOnlyList<SubscriberRow> Subscribers, int Matched, bool Complete);

    private sealed record SubscriberRow(
        string Client,
        string User,
        string RemoteAddress,
        string Protocol,
        IReadOnlyList<string> Channels,
        DateTimeOffset ConnectedSince,
        long QueueFrames,
        long QueueBytes,
        DateTimeOffset LastSignOfLife);

    private sealed record DeadLettersResponse(int Capacity, IReadOnlyList<DeadLetterEntry> DeadLetters);

    private sealed record DisconnectResponse(int Disconnected);
}
