using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Protocol;

namespace NotifyActors.Server.Api;

/// <summary>
/// GET /api/presence?channel= and GET /api/history?channel=&amp;limit=&amp;offset=&amp;epoch=: what a
/// channel knows, answered like the presence and history commands (without "type" and "id").
/// </summary>
public static class ChannelQueryEndpoints
{
    /// <param name="api">The /api group, which checks the API key.</param>
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/presence", Presence);
        api.MapGet("/history", History);
    }

    private static async Task<IResult> Presence(HttpRequest request, NotifySettings settings, IRequiredActor<ChannelRegistry> channels)
    {
        var channel = request.Query["channel"].ToString();
        var (ns, invalid) = ChannelArgument.Check(channel, settings);
        if (ns is null)
            return invalid!;
        if (!ns.Presence)
            return ApiError.Of(StatusCodes.Status400BadRequest, ErrorCodes.NotAvailable, $"presence is not enabled in namespace \"{ns.Name}\"");

        if (await AskAsync<PresenceResult>(channels, new PresenceQuery(channel, 0), settings.Cluster.AskTimeout) is not { } result)
            return NoAnswer();
        return Results.Bytes(ServerFrames.PresenceBody(channel, result.Members.Select(m => (m.Client, m.User))), "application/json");
    }

    private static async Task<IResult> History(HttpRequest request, NotifySettings settings, IRequiredActor<ChannelRegistry> channels)
    {
        var channel = request.Query["channel"].ToString();
        var (ns, invalid) = ChannelArgument.Check(channel, settings);
        if (ns is null)
            return invalid!;
        if (!ns.KeepsHistory)
            return ApiError.Of(StatusCodes.Status400BadRequest, ErrorCodes.NotAvailable, $"history is not kept in namespace \"{ns.Name}\"");

        int? limit = null;
        if (request.Query["limit"].ToString() is { Length: > 0 } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                return ApiError.BadRequest("\"limit\" must be a non-negative integer");
            limit = value;
        }
        RecoveryPosition? since = null;
        var offsetText = request.Query["offset"].ToString();
        var epoch = request.Query["epoch"].ToString();
        if (offsetText.Length > 0 || epoch.Length > 0)
        {
            if (!long.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) || epoch.Length == 0)
                return ApiError.BadRequest("\"offset\" (a non-negative integer) and \"epoch\" go together");
            since = new RecoveryPosition(offset, epoch);
        }

        if (await AskAsync<HistoryResult>(channels, new HistoryQuery(channel, 0, limit, since), settings.Cluster.AskTimeout) is not { } result)
            return NoAnswer();
        if (result.Publications is null)
            return ApiError.Of(StatusCodes.Status404NotFound, ErrorCodes.NotAvailable,
                $"that position is no longer in history (current epoch {result.Epoch}, offset {result.Offset})");
        return Results.Bytes(ServerFrames.HistoryBody(channel, result.Offset, result.Epoch, result.Publications.Select(p => (p.Offset, p.Data))), "application/json");
    }

    private static async Task<T?> AskAsync<T>(IRequiredActor<ChannelRegistry> channels, IChannelMessage query, TimeSpan timeout) where T : class
    {
        try
        {
            return await channels.ActorRef.Ask<T>(query, timeout);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    private static IResult NoAnswer() => ApiError.NoAnswer("the channel did not answer in time");
}
