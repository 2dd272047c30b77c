using System.Text.Json;
using Google.Protobuf;
using NotifyActors.Protocol.Centrifugo.Wire;

namespace NotifyActors.Protocol.Centrifugo;

/// <summary>
/// Reads Centrifugo's Protobuf commands: one binary frame holds one or more <see cref="Command"/> messages, each
/// prefixed by its varint length; an empty command is the client's pong. As in JSON, the first request field set is
/// the method and what the server does not use is skipped. Publications are JSON on every endpoint, so a publish's
/// data must be UTF-8 JSON. Never throws on bad input: a malformed frame becomes bad_request (3501).
/// </summary>
internal static class CentrifugoProtobufDecoder
{
    private static readonly JsonReaderOptions JsonOptions = new() { MaxDepth = 64 };

    public static void Decode(byte[] frame, List<DecodeResult> commands)
    {
        var input = new CodedInputStream(frame);
        try
        {
            while (!input.IsAtEnd)
            {
                var command = new Command();
                input.ReadMessage(command);
                var decoded = DecodeOne(command);
                if (decoded.Command is null && decoded.Error is null)
                    continue; // a send: nothing to run or answer
                commands.Add(decoded);
                if (decoded.Error is { Code: ErrorCodes.BadRequest })
                    return;
            }
        }
        catch (InvalidProtocolBufferException)
        {
            commands.Add(Malformed(null, "a frame that is not length-prefixed Protobuf commands"));
            return;
        }
        if (frame.Length == 0)
            commands.Add(Malformed(null, "an empty frame"));
    }

    private static DecodeResult DecodeOne(Command command)
    {
        long? id = command.Id == 0 ? null : command.Id;
        if (command.Connect is { } connect)
            return Ok(new ConnectCommand(id, connect.Token));
        if (command.Refresh is { } refresh)
            return Ok(new RefreshCommand(id, refresh.Token));
        if (command.Subscribe is { } subscribe)
            return WithChannel(subscribe.Channel, id, channel => Ok(new SubscribeCommand(id, channel,
                subscribe.Recover ? new RecoveryPosition(Offset(subscribe.Offset), subscribe.Epoch) : null)));
        if (command.Unsubscribe is { } unsubscribe)
            return WithChannel(unsubscribe.Channel, id, channel => Ok(new UnsubscribeCommand(id, channel)));
        if (command.Publish is { } publish)
            return WithChannel(publish.Channel, id, channel => IsJson(publish.Data.Span)
                ? Ok(new PublishCommand(id, channel, publish.Data.ToByteArray()))
                : Malformed(id, "publication data that is not UTF-8 JSON"));
        if (command.Presence is { } presence)
            return WithChannel(presence.Channel, id, channel => Ok(new PresenceCommand(id, channel)));
        if (command.PresenceStats is { } stats)
            return WithChannel(stats.Channel, id, channel => Ok(new PresenceStatsCommand(id, channel)));
        if (command.History is { } history)
            return WithChannel(history.Channel, id, channel => Ok(new HistoryCommand(id, channel,
                history.Limit < 0 ? null : history.Limit,
                history.Since is { } since ? new RecoveryPosition(Offset(since.Offset), since.Epoch) : null,
                history.Reverse ? HistoryOrder.Reverse : HistoryOrder.Forward)));
        if (command.Send is not null)
            return default;
        if (command.Rpc is not null || command.SubRefresh is not null)
            return DecodeResult.Fail(id, ErrorCodes.UnknownOp, "not supported");
        // An empty command is the client's pong; a command with an id names no method this server knows.
        return id is null ? Ok(new PongCommand(null)) : DecodeResult.Fail(id, ErrorCodes.UnknownOp, "no method this server knows");
    }

    private static DecodeResult WithChannel(string channel, long? id, Func<string, DecodeResult> decode)
    {
        if (channel.Length == 0)
            return Malformed(id, "a command without a channel");
        return ChannelName.Validate(channel) is { } problem ? DecodeResult.Fail(id, ErrorCodes.InvalidChannel, problem) : decode(channel);
    }

    // No publication has an offset past long.MaxValue; such a position reads as 0, which none has either.
    private static long Offset(ulong offset) => offset > long.MaxValue ? 0 : (long)offset;

    private static bool IsJson(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return false;
        var reader = new Utf8JsonReader(data, JsonOptions);
        try
        {
            while (reader.Read())
            {
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static DecodeResult Ok(ClientCommand command) => DecodeResult.Ok(command);

    private static DecodeResult Malformed(long? id, string what) => DecodeResult.Fail(id, ErrorCodes.BadRequest, $"malformed command: {what}");
}
