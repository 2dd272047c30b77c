using NotifyActors.Cluster;
using NotifyActors.Server.Cluster;

namespace NotifyActors.Server.Api;

/// <summary>
/// GET /api/channels[?prefix=]: 200 {"channels":[{"channel","subscribers"}]}, the channels with at least one
/// subscriber anywhere in the cluster, sorted by name, with their subscriber counts summed over the nodes. Each node
/// answers from the directory its hubs keep up to date (no channel actor is asked). A node this one cannot reach is
/// left out (its part comes back when it is reachable again, or its clients reconnect elsewhere once it is removed);
/// a reachable node that does not answer in time makes the answer 503.
/// </summary>
public static class ChannelsEndpoint
{
    public static async Task<IResult> Handle(HttpRequest request, ClusterNodes nodes)
    {
        var prefix = request.Query["prefix"];
        if (prefix.Count > 1)
            return ApiError.BadRequest("give \"prefix\" at most once");

        var answers = await nodes.AskEveryNodeAsync<NodeChannels>(new NodeChannelsQuery(prefix.ToString()));
        if (answers.Any(a => a.IsMissing))
            return ApiError.NodesMissing(answers, "");
        var channels = answers
            .SelectMany(a => a.Answer?.Channels ?? [])
            .GroupBy(c => c.Channel, StringComparer.Ordinal)
            .Select(g => new ChannelInfo(g.Key, g.Sum(c => c.Subscribers)))
            .OrderBy(c => c.Channel, StringComparer.Ordinal)
            .ToList();
        return Results.Json(new ChannelsResponse(channels));
    }

    private sealed record ChannelsResponse(IReadOnlyList<ChannelInfo> Channels);

    private sealed record ChannelInfo(string Channel, int Subscribers);
}
