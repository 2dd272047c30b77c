using System.Text;
using System.Text.Json;

namespace NotifyActors.Protocol;

/// <summary>
/// Turns one inbound text frame into a <see cref="ClientCommand"/>. Never throws on bad input:
/// every malformed frame becomes a documented error so the connection can carry on.
/// </summary>
public static class CommandDecoder
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static DecodeResult Decode(ReadOnlyMemory<byte> frame)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame, Options);
        }
        catch (JsonException)
        {
            return DecodeResult.Fail(null, ErrorCodes.BadRequest, "frame is not valid JSON");
        }
        catch (ArgumentException)
        {
            return DecodeResult.Fail(null, ErrorCodes.BadRequest, "frame is not valid UTF-8 JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return DecodeResult.Fail(null, ErrorCodes.BadRequest, "frame must be a JSON object");

            long? id = null;
            try
            {
                if (root.TryGetProperty("id", out var idElement))
                {
                    if (idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out var value) || value <= 0)
                        return DecodeResult.Fail(null, ErrorCodes.BadRequest, "\"id\" must be a positive integer");
                    id = value;
                }
                return DecodeCommand(root, id);
            }
            catch (InvalidOperationException)
            {
                // System.Text.Json parses an escaped lone surrogate ("\ud800") as JSON, then throws when a
                // string holding it is read or a field name holding it is compared.
                return DecodeResult.Fail(id, ErrorCodes.BadRequest, "frame holds a string that is not text: a \\u escape of a lone surrogate");
            }
        }
    }

    private static DecodeResult DecodeCommand(JsonElement root, long? id)
    {
        if (!root.TryGetProperty("op", out var opElement) || opElement.ValueKind != JsonValueKind.String)
            return DecodeResult.Fail(id, ErrorCodes.BadRequest, "\"op\" must be a string");

        return opElement.GetString() switch
        {
            "subscribe" => DecodeSubscribe(root, id),
            "unsubscribe" => WithChannel(root, id, channel => new UnsubscribeCommand(id, channel)),
            "publish" => DecodePublish(root, id),
            "presence" => WithChannel(root, id, channel => new PresenceCommand(id, channel)),
            "history" => DecodeHistory(root, id),
            "pong" => DecodeResult.Ok(new PongCommand(id)),
            var op => DecodeResult.Fail(id, ErrorCodes.UnknownOp, $"unknown op \"{Truncate(op)}\""),
        };
    }

    private static DecodeResult DecodeSubscribe(JsonElement root, long? id) =>
        WithChannel(root, id, channel => new SubscribeCommand(id, channel, null), recoverOf: root);

    private static DecodeResult DecodeHistory(JsonElement root, long? id)
    {
        int? limit = null;
        if (root.TryGetProperty("limit", out var limitElement))
        {
            if (limitElement.ValueKind != JsonValueKind.Number || !limitElement.TryGetInt32(out var value) || value < 0)
                return DecodeResult.Fail(id, ErrorCodes.BadRequest, "\"limit\" must be a non-negative integer");
            limit = value;
        }
        RecoveryPosition? since = null;
        if (root.TryGetProperty("since", out var sinceElement) && !TryReadPosition(sinceElement, out since))
            return DecodeResult.Fail(id, ErrorCodes.BadRequest, "\"since\" must be {\"offset\": non-negative integer, \"epoch\": string}");
        return WithChannel(root, id, channel => new HistoryCommand(id, channel, limit, since));
    }

    private static DecodeResult DecodePublish(JsonElement root, long? id)
    {
        if (!root.TryGetProperty("data", out var data))
            return DecodeResult.Fail(id, ErrorCodes.BadRequest, "\"data\" is required");
        var raw = Encoding.UTF8.GetBytes(data.GetRawText());
        return WithChannel(root, id, channel => new PublishCommand(id, channel, raw));
    }

    private static DecodeResult WithChannel(JsonElement root, long? id, Func<string, ClientCommand> build, JsonElement? recoverOf = null)
    {
        if (!root.TryGetProperty("channel", out var channelElement))
            return DecodeResult.Fail(id, ErrorCodes.BadRequest, "\"channel\" is required");
        if (channelElement.ValueKind != JsonValueKind.String)
            return DecodeResult.Fail(id, ErrorCodes.BadRequest, "\"channel\" must be a string");
        var channel = channelElement.GetString()!;
        if (ChannelName.Validate(channel) is { } problem)
            return DecodeResult.Fail(id, ErrorCodes.InvalidChannel, problem);

        var command = build(channel);
        if (recoverOf is { } subscribe && subscribe.TryGetProperty("recover", out var recover))
        {
            if (!TryReadPosition(recover, out var position))
                return DecodeResult.Fail(id, ErrorCodes.BadRequest, "\"recover\" must be {\"offset\": non-negative integer, \"epoch\": string}");
            command = ((SubscribeCommand)command) with { Recover = position };
        }
        return DecodeResult.Ok(command);
    }

    private static bool TryReadPosition(JsonElement element, out RecoveryPosition? position)
    {
        position = null;
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("offset", out var offset) || offset.ValueKind != JsonValueKind.Number
            || !offset.TryGetInt64(out var offsetValue) || offsetValue < 0
            || !element.TryGetProperty("epoch", out var epoch) || epoch.ValueKind != JsonValueKind.String)
            return false;
        position = new RecoveryPosition(offsetValue, epoch.GetString()!);
        return true;
    }

    private static string Truncate(string? op) => op is { Length: > 32 } ? op[..32] + "..." : op ?? "";
}
