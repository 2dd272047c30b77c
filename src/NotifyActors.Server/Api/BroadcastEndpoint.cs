using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Hosting;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Protocol;

namespace NotifyActors.Server.Api;

/// <summary>
/// POST /api/broadcast {"channels":[..],"data"}: publishes the same data to every channel named, and
/// answers 200 {"results":[..]} with one result per entry, in the order given: {"channel","offset","epoch"}
/// when published, {"channel","error":{"code","message"}} when not (a bad name, an unknown namespace, or a
/// channel that did not answer in time). A request that is itself malformed gets 400; one naming more than
/// notify.limits.max-broadcast-channels channels gets 413 and publishes nothing.
/// </summary>
public static class BroadcastEndpoint
{
    public static async Task<IResult> Handle(HttpRequest request, NotifySettings settings, IRequiredActor<ChannelRegistry> channels)
    {
        var (body, rejected) = await RequestBody.ReadAsync(request, settings.Limits.MaxPublishBytes);
        if (body is null)
            return rejected!;

        var (names, data, error) = Parse(body, settings.Limits.MaxBroadcastChannels);
        if (error is not null)
            return error;

        var results = await Task.WhenAll(names!.Select(name => PublishOne(name, data!, settings, channels.ActorRef)));
        return Results.Json(new BroadcastResponse(results));
    }

    private static async Task<BroadcastResult> PublishOne(string channel, byte[] data, NotifySettings settings, IActorRef channels)
    {
        if (ChannelArgument.Problem(channel, settings) is { } problem)
            return BroadcastResult.Failed(channel, ErrorCodes.InvalidChannel, problem);
        var (ack, failure) = await Publishing.PublishAsync(channels, channel, data, settings.Cluster.AskTimeout);
        return ack is not null ? new BroadcastResult(ack.Channel, ack.Offset, ack.Epoch, null) : BroadcastResult.Failed(channel, ErrorCodes.Internal, failure!);
    }

    private static (IReadOnlyList<string>? Channels, byte[]? Data, IResult? Error) Parse(byte[] body, int maxChannels) =>
        JsonBody.Read(body, root => Parse(root, maxChannels), rejected => (null, null, rejected));

    private static (IReadOnlyList<string>? Channels, byte[]? Data, IResult? Error) Parse(JsonElement root, int maxChannels)
    {
        if (!root.TryGetProperty("channels", out var channelsElement) || channelsElement.ValueKind != JsonValueKind.Array)
            return (null, null, ApiError.BadRequest("\"channels\" must be an array of channel names"));
        var count = channelsElement.GetArrayLength();
        if (count == 0)
            return (null, null, ApiError.BadRequest("\"channels\" is empty"));
        if (count > maxChannels)
            return (null, null, ApiError.Of(StatusCodes.Status413PayloadTooLarge, ErrorCodes.LimitExceeded,
                $"at most {maxChannels} channels per broadcast (got {count})"));
        var names = new List<string>(count);
        foreach (var element in channelsElement.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String)
                return (null, null, ApiError.BadRequest("every entry of \"channels\" must be a string"));
            names.Add(element.GetString()!);
        }
        if (!root.TryGetProperty("data", out var data))
            return (null, null, ApiError.BadRequest("\"data\" is required"));
        return (names, Encoding.UTF8.GetBytes(data.GetRawText()), null);
    }

    private sealed record BroadcastResponse(IReadOnlyList<BroadcastResult> Results);

    private sealed record BroadcastResult(
        string Channel,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Offset,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Epoch,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApiError.ErrorDetail? Error)
    {
        public static BroadcastResult Failed(string channel, string code, string message) =>
            new(channel, null, null, new ApiError.ErrorDetail(code, message));
    }
}
