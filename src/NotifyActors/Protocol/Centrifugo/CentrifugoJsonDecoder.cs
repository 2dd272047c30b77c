using System.Text;
using System.Text.Json;

namespace NotifyActors.Protocol.Centrifugo;

/// <summary>
/// Reads Centrifugo's JSON commands: one text frame holds one or more, separated by <c>\n</c>, each
/// <c>{"id":N,"method":{..}}</c> with exactly one request field; <c>{}</c> is the client's pong. Fields it does not
/// know are ignored (newer SDKs add some), and so is what a command carries that the server does not use (a
/// connect's subs, data, name and version). Never throws on bad input: a malformed command becomes bad_request (which
/// closes a Centrifugo connection with 3501), a channel outside every namespace invalid_channel (102).
/// </summary>
internal static class CentrifugoJsonDecoder
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static IEnumerable<DecodeResult> Decode(byte[] frame)
    {
        ReadOnlyMemory<byte> rest = frame;
        var seen = false;
        while (rest.Length > 0)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            if (line.Span.Trim(" \t\r"u8).Length == 0)
                continue;
            seen = true;
            var decoded = DecodeOne(line);
            yield return decoded;
            if (decoded.Error is { Code: ErrorCodes.BadRequest })
                yield break; // the connection closes: the commands after it do not run
        }
        if (!seen)
            yield return Malformed(null, "an empty frame");
    }

    private static DecodeResult DecodeOne(ReadOnlyMemory<byte> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, Options);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return Malformed(null, "a command that is not UTF-8 JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Malformed(null, "a command that is not a JSON object");
            long? id = null;
            try
            {
                if (root.TryGetProperty("id", out var idElement))
                {
                    if (idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetUInt32(out var value))
                        return Malformed(null, "an id that is not an unsigned 32-bit integer");
                    // 0 is no id, as in Centrifugo's schema.
                    id = value == 0 ? null : value;
                }
                return DecodeMethod(root, id);
            }
            catch (InvalidOperationException)
            {
                // An escaped lone surrogate ("\ud800") parses as JSON and throws when read as a string.
                return Malformed(id, "a string that is not text");
            }
        }
    }

    private static DecodeResult DecodeMethod(JsonElement root, long? id)
    {
        foreach (var property in root.EnumerateObject())
        {
            var request = property.Value;
            switch (property.Name)
            {
                case "id":
                    continue;
                case "connect":
                    return Request(request, id, r => WithToken(r, id, token => Ok(new ConnectCommand(id, token))));
                case "refresh":
                    return Request(request, id, r => WithToken(r, id, token => Ok(new RefreshCommand(id, token))));
                case "subscribe":
                    return Request(request, id, r => WithChannel(r, id, channel => Ok(new SubscribeCommand(id, channel, RecoverFrom(r)))));
                case "unsubscribe":
                    return Request(request, id, r => WithChannel(r, id, channel => Ok(new UnsubscribeCommand(id, channel))));
                case "publish":
                    return Request(request, id, r => WithChannel(r, id, channel => r.TryGetProperty("data", out var data)
                        ? Ok(new PublishCommand(id, channel, Encoding.UTF8.GetBytes(data.GetRawText())))
                        : Malformed(id, "a publish without data")));
                case "presence":
                    return Request(request, id, r => WithChannel(r, id, channel => Ok(new PresenceCommand(id, channel))));
                case "presence_stats":
                    return Request(request, id, r => WithChannel(r, id, channel => Ok(new PresenceStatsCommand(id, channel))));
                case "history":
                    return Request(request, id, r => WithChannel(r, id, channel => History(r, id, channel)));
                case "send":
                    return Ok(SendCommand.Instance);
                case "rpc":
                case "sub_refresh":
                    return DecodeResult.Fail(id, ErrorCodes.UnknownOp, $"{property.Name} is not supported");
                default:
                    continue; // a field of a newer protocol; the method may follow
            }
        }
        // {} is the client's pong; anything else names no method this server knows.
        return id is null ? Ok(new PongCommand(null)) : DecodeResult.Fail(id, ErrorCodes.UnknownOp, "no method this server knows");
    }

    private static DecodeResult Request(JsonElement request, long? id, Func<JsonElement, DecodeResult> decode) =>
        request.ValueKind == JsonValueKind.Object ? decode(request) : Malformed(id, "a request that is not an object");

    private static DecodeResult WithChannel(JsonElement request, long? id, Func<string, DecodeResult> decode)
    {
        if (!request.TryGetProperty("channel", out var element) || element.ValueKind != JsonValueKind.String)
            return Malformed(id, "a command without a channel");
        var channel = element.GetString()!;
        return ChannelName.Validate(channel) is { } problem ? DecodeResult.Fail(id, ErrorCodes.InvalidChannel, problem) : decode(channel);
    }

    /// <summary>A token is a string, or absent (or null): anonymous. Anything else is not a token, and never anonymous.</summary>
    private static DecodeResult WithToken(JsonElement request, long? id, Func<string?, DecodeResult> decode)
    {
        if (!request.TryGetProperty("token", out var token) || token.ValueKind == JsonValueKind.Null)
            return decode(null);
        return token.ValueKind == JsonValueKind.String ? decode(token.GetString()) : Malformed(id, "a token that is not a string");
    }

    private static RecoveryPosition? RecoverFrom(JsonElement request)
    {
        if (!request.TryGetProperty("recover", out var recover) || recover.ValueKind != JsonValueKind.True)
            return null;
        return new RecoveryPosition(Offset(request), OptionalString(request, "epoch") ?? "");
    }

    private static DecodeResult History(JsonElement request, long? id, string channel)
    {
        // Absent is 0, as in Centrifugo (its JSON decodes into the Protobuf schema's default): the position only.
        int? limit = 0;
        if (request.TryGetProperty("limit", out var limitElement))
        {
            if (limitElement.ValueKind != JsonValueKind.Number || !limitElement.TryGetInt32(out var value))
                return Malformed(id, "a history limit that is not an integer");
            // Centrifugo: 0 asks for the position only, a negative limit for everything kept.
            limit = value < 0 ? null : value;
        }
        RecoveryPosition? since = null;
        if (request.TryGetProperty("since", out var sinceElement) && sinceElement.ValueKind == JsonValueKind.Object)
            since = new RecoveryPosition(Offset(sinceElement), OptionalString(sinceElement, "epoch") ?? "");
        var reverse = request.TryGetProperty("reverse", out var reverseElement) && reverseElement.ValueKind == JsonValueKind.True;
        return Ok(new HistoryCommand(id, channel, limit, since, reverse ? HistoryOrder.Reverse : HistoryOrder.Forward));
    }

    /// <summary>An offset as Centrifugo writes it (an unsigned 64-bit number); anything else reads as 0, which no publication has.</summary>
    private static long Offset(JsonElement request) =>
        request.TryGetProperty("offset", out var offset) && offset.ValueKind == JsonValueKind.Number && offset.TryGetInt64(out var value) && value >= 0
            ? value
            : 0;

    private static string? OptionalString(JsonElement request, string name) =>
        request.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    private static DecodeResult Ok(ClientCommand command) => DecodeResult.Ok(command);

    private static DecodeResult Malformed(long? id, string what) => DecodeResult.Fail(id, ErrorCodes.BadRequest, $"malformed command: {what}");
}
