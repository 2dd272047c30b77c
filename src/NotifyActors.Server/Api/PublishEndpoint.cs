using System.Text;
using System.Text.Json;
using Akka.Hosting;
using NotifyActors.Channels;
using NotifyActors.Configuration;

namespace NotifyActors.Server.Api;

/// <summary>
/// POST /api/publish {"channel","data"}: 200 {"channel","offset","epoch"} once the channel has taken it (in a
/// namespace with history: once it is in the store); 503 when the store failed to take it.
/// </summary>
public static class PublishEndpoint
{
    public static async Task<IResult> Handle(HttpRequest request, NotifySettings settings, IRequiredActor<ChannelRegistry> channels)
    {
        var (body, rejected) = await RequestBody.ReadAsync(request, settings.Limits.MaxPublishBytes);
        if (body is null)
            return rejected!;

        var (channel, data, error) = Parse(body, settings);
        if (error is not null)
            return error;

        var (ack, failure) = await Publishing.PublishAsync(channels.ActorRef, channel!, data!, settings.Cluster.AskTimeout);
        return ack is not null ? Results.Json(new PublishResult(ack.Channel, ack.Offset, ack.Epoch)) : ApiError.NoAnswer(failure!);
    }

    private static (string? Channel, byte[]? Data, IResult? Error) Parse(byte[] body, NotifySettings settings) =>
        JsonBody.Read(body, root => Parse(root, settings), rejected => (null, null, rejected));

    private static (string? Channel, byte[]? Data, IResult? Error) Parse(JsonElement root, NotifySettings settings)
    {
        if (!root.TryGetProperty("channel", out var channelElement) || channelElement.ValueKind != JsonValueKind.String)
            return (null, null, ApiError.BadRequest("\"channel\" must be a string"));
        var channel = channelElement.GetString()!;
        if (ChannelArgument.Check(channel, settings).Rejection is { } invalid)
            return (null, null, invalid);
        if (!root.TryGetProperty("data", out var data))
            return (null, null, ApiError.BadRequest("\"data\" is required"));
        return (channel, Encoding.UTF8.GetBytes(data.GetRawText()), null);
    }

    private sealed record PublishResult(string Channel, long Offset, string Epoch);
}
