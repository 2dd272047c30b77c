using Akka.Actor;
using NotifyActors.Channels;

namespace NotifyActors.Server.Api;

/// <summary>
/// GET /api/channels[?prefix=]: 200 {"channels":[{"channel","subscribers"}]}, the channels of this node
/// with at least one subscriber here, sorted by name, with their subscriber counts on this node. Read
/// from the <see cref="ChannelDirectory"/> the channel actors keep up to date: no actor is asked.
/// </summary>
public static class ChannelsEndpoint
{
    public static IResult Handle(HttpRequest request, ApiKeyAuthorizer authorizer, ActorSystem system)
    {
        if (!authorizer.IsAuthorized(request))
            return ApiError.Unauthorized();
        var prefix = request.Query["prefix"];
        if (prefix.Count > 1)
            return ApiError.BadRequest("give \"prefix\" at most once");

        var channels = ChannelDirectory.For(system).List(prefix.ToString())
            .Select(channel => new ChannelInfo(channel.Name, channel.Subscribers))
            .ToList();
        return Results.Json(new ChannelsResponse(channels));
    }

    private sealed record ChannelsResponse(IReadOnlyList<ChannelInfo> Channels);

    private sealed record ChannelInfo(string Channel, int Subscribers);
}
