using System.Text.Json;
using System.Text.Unicode;
using Google.Protobuf;
using NotifyActors.Protocol.Centrifugo.Wire;

namespace NotifyActors.Protocol.Centrifugo;

/// <summary>
/// Reads Centrifugo's Protobuf commands: one binary frame holds one or more <see cref="Command"/> messages, each
/// prefixed by its varint length, decoded one at a time as they are taken; an empty command is the client's pong. As in JSON, the first request field set is
/// the method and what the server does not use is skipped. Publications are JSON on every endpoint, so a publish's
/// data must be UTF-8 JSON. Never throws on bad input: a malformed frame becomes bad_request (3501).
/// </summary>
internal static class CentrifugoProtobufDecoder
{
    private static readonly JsonReaderOptions JsonOptions = new() { MaxDepth = 64 };

    public static IEnumerable<DecodeResult> Decode(byte[] frame)
    {
        if (frame.Length == 0)
        {
            yield return Malformed(null, "an empty frame");
            yield break;
        }
        for (var position = 0; position < frame.Length;)
        {
            // The length is read and checked here: Google.Protobuf's own reader fails with an arithmetic error
            // (not a parse error) on a length near int.MaxValue.
            if (!TryReadLength(frame, ref position, out var length) || length > frame.Length - position)
            {
                yield return Malformed(null, "a length prefix that does not fit the frame");
                yield break;
            }
            var decoded = Parse(frame.AsSpan(position, length));
            position += length;
            yield return decoded;
            if (decoded.Error is { Code: ErrorCodes.BadRequest })
                yield break;
        }
    }

    private static DecodeResult Parse(ReadOnlySpan<byte> message)
    {
        try
        {
            return DecodeOne(Command.Parser.ParseFrom(message));
        }
        // Google.Protobuf reports most hostile input as a parse error, and a nested length near int.MaxValue as an
        // arithmetic one.
        catch (Exception e) when (e is InvalidProtocolBufferException or IndexOutOfRangeException or ArgumentException or OverflowException)
        {
            return Malformed(null, "a command that is not Protobuf");
        }
    }

    /// <summary>A varint of at most 5 bytes that fits an int (a message is never longer than a frame).</summary>
    private static bool TryReadLength(byte[] frame, ref int position, out int length)
    {
        length = 0;
        for (var shift = 0; shift < 35 && position < frame.Length; shift += 7)
        {
            var b = frame[position++];
            var value = (long)length | ((long)(b & 0x7f) << shift);
            if (value > int.MaxValue)
                return false;
            length = (int)value;
            if ((b & 0x80) == 0)
                return true;
        }
        return false;
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
            return Ok(SendCommand.Instance);
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

    /// <summary>UTF-8 JSON, as every endpoint carries publications: the reader checks the JSON, not that its strings are UTF-8.</summary>
    private static bool IsJson(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || !Utf8.IsValid(data))
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
