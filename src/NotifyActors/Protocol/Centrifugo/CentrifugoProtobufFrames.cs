using Google.Protobuf;
using NotifyActors.Protocol.Centrifugo.Wire;

namespace NotifyActors.Protocol.Centrifugo;

/// <summary>
/// Writes Centrifugo's Protobuf replies and pushes: each frame is one <see cref="Reply"/>, prefixed by its varint
/// length. Data travels as the bytes of its JSON.
/// </summary>
internal static class CentrifugoProtobufFrames
{
    /// <summary>An empty reply: the server's ping.</summary>
    public static readonly byte[] Ping = [0];

    public static byte[] Connected(long? id, string client, int pingSeconds, TimeSpan? ttl, bool refresh)
    {
        var expires = ttl is not null;
        var seconds = ttl is { } left ? (uint)Math.Clamp(Math.Ceiling(left.TotalSeconds), 1, uint.MaxValue) : 0;
        var reply = Reply(id);
        if (refresh)
            reply.Refresh = new RefreshResult { Client = client, Version = CentrifugoJsonFrames.ServerVersion, Expires = expires, Ttl = seconds };
        else
            reply.Connect = new ConnectResult { Client = client, Version = CentrifugoJsonFrames.ServerVersion, Expires = expires, Ttl = seconds, Ping = (uint)pingSeconds, Pong = true };
        return Frame(reply);
    }

    public static byte[] Publication(string channel, long offset, ReadOnlySpan<byte> data) =>
        Frame(new Reply { Push = new Push { Channel = channel, Pub = Publication(offset, data) } });

    public static byte[] Membership(bool joined, string channel, string client, string user)
    {
        var info = new ClientInfo { User = user, Client = client };
        var push = new Push { Channel = channel };
        if (joined)
            push.Join = new Join { Info = info };
        else
            push.Leave = new Leave { Info = info };
        return Frame(new Reply { Push = push });
    }

    public static byte[] Subscribed(long? id, SubscribedReply subscribed)
    {
        var result = new SubscribeResult();
        if (subscribed.Recoverable)
        {
            result.Recoverable = true;
            result.Epoch = subscribed.Epoch;
            result.Offset = (ulong)subscribed.Offset;
            result.Positioned = true;
        }
        if (subscribed.Recovered is { } recovered)
        {
            result.WasRecovering = true;
            result.Recovered = recovered;
            result.Publications.AddRange(subscribed.Publications.Select(p => Publication(p.Offset, p.Data)));
        }
        var reply = Reply(id);
        reply.Subscribe = result;
        return Frame(reply);
    }

    public static byte[] Unsubscribed(long? id)
    {
        var reply = Reply(id);
        reply.Unsubscribe = new Empty();
        return Frame(reply);
    }

    public static byte[] SubscriptionLost(string channel, string reason) =>
        Frame(new Reply { Push = new Push { Channel = channel, Unsubscribe = new Unsubscribe { Code = CentrifugoCodes.InsufficientState, Reason = reason } } });

    public static byte[] Published(long? id)
    {
        var reply = Reply(id);
        reply.Publish = new Empty();
        return Frame(reply);
    }

    public static byte[] Presence(long? id, IEnumerable<(string Client, string User)> clients)
    {
        var result = new PresenceResult();
        foreach (var (client, user) in clients)
            result.Presence[client] = new ClientInfo { User = user, Client = client };
        var reply = Reply(id);
        reply.Presence = result;
        return Frame(reply);
    }

    public static byte[] PresenceStats(long? id, int clients, int users)
    {
        var reply = Reply(id);
        reply.PresenceStats = new PresenceStatsResult { NumClients = (uint)clients, NumUsers = (uint)users };
        return Frame(reply);
    }

    public static byte[] History(long? id, long offset, string epoch, IEnumerable<(long Offset, byte[] Data)> publications)
    {
        var result = new HistoryResult { Epoch = epoch, Offset = (ulong)offset };
        result.Publications.AddRange(publications.Select(p => Publication(p.Offset, p.Data)));
        var reply = Reply(id);
        reply.History = result;
        return Frame(reply);
    }

    public static byte[] Error(long? id, ProtocolError error)
    {
        var (code, message, temporary) = CentrifugoCodes.Error(error.Code);
        var reply = Reply(id);
        reply.Error = new Error { Code = (uint)code, Message = message, Temporary = temporary };
        return Frame(reply);
    }

    private static Wire.Publication Publication(long offset, ReadOnlySpan<byte> data) =>
        new() { Data = ByteString.CopyFrom(data), Offset = (ulong)offset };

    private static Reply Reply(long? id) => new() { Id = id is { } value ? (uint)value : 0 };

    private static byte[] Frame(Reply reply)
    {
        var size = reply.CalculateSize();
        var frame = new byte[CodedOutputStream.ComputeLengthSize(size) + size];
        var output = new CodedOutputStream(frame);
        output.WriteLength(size);
        reply.WriteTo(output);
        output.CheckNoSpaceLeft();
        return frame;
    }
}
