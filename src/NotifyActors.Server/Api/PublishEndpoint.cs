using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Protocol;

namespace NotifyActors.Server.Api;

/// <summary>
/// POST /api/publish {"channel","data"}: 200 {"channel","offset","epoch"} once the channel has taken it (in a
/// namespace with history: once it is in the store); 503 when the store failed to take it.
/// </summary>
public static class PublishEndpoint
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static async Task<IResult> Handle(
        HttpRequest request,
        ApiKeyAuthorizer authorizer,
        NotifySettings settings,
        IRequiredActor<ChannelRegistry> channels)
    {
        var (body, rejected) = await RequestBody.ReadAuthorizedAsync(request, authorizer, settings.Limits.MaxPublishBytes);
        if (body is null)
            return rejected!;

        var (channel, data, error) = Parse(body, settings);
        if (error is not null)
            return error;

        try
        {
            return await channels.ActorRef.Ask<object>(new Publish(channel!, data!), AskTimeout) switch
            {
                PublishAck ack => Results.Json(new PublishResult(ack.Channel, ack.Offset, ack.Epoch)),
                PublishFailed failed => ApiError.Of(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Internal, failed.Reason),
                var other => throw new InvalidOperationException($"unexpected answer to a publish: {other.GetType()}"),
            };
        }
        catch (AskTimeoutException)
        {
            return ApiError.Of(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Internal, "the channel did not answer in time; the publication may or may not have been accepted");
        }
    }

    private static (string? Channel, byte[]? Data, IResult? Error) Parse(byte[] body, NotifySettings settings) =>
        JsonBody.Read(body, root => Parse(root, settings), rejected => (null, null, rejected));

    private static (string? Channel, byte[]? Data, IResult? Error) Parse(JsonElement root, NotifySettings settings)
    {
        if (!root.TryGetProperty("channel", out var channelElement) || channelElement.ValueKind != JsonValueKind.String)
            return (null, null, ApiError.BadRequest("\"channel\" must be a string"));
        var channel = channelElement.GetString()!;
        if (ChannelName.Validate(channel) is { } problem)
            return (null, null, ApiError.Of(StatusCodes.Status400BadRequest, ErrorCodes.InvalidChannel, problem));
        if (settings.NamespaceOf(channel) is null)
            return (null, null, ApiError.Of(StatusCodes.Status400BadRequest, ErrorCodes.InvalidChannel, $"channel \"{channel}\" names an unknown namespace"));
        if (!root.TryGetProperty("data", out var data))
            return (null, null, ApiError.BadRequest("\"data\" is required"));
        return (channel, Encoding.UTF8.GetBytes(data.GetRawText()), null);
    }

    private sealed record PublishResult(string Channel, long Offset, string Epoch);
}
