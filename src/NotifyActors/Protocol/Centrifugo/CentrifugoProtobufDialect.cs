namespace NotifyActors.Protocol.Centrifugo;

/// <summary>
/// Centrifugo's client protocol in Protobuf (PROTOCOL.md section 7) at /connection/websocket with the subprotocol
/// centrifuge-protobuf: binary frames of length-prefixed messages, read by <see cref="CentrifugoProtobufDecoder"/> and
/// written by <see cref="CentrifugoProtobufFrames"/>; everything else as <see cref="CentrifugoJsonDialect"/>.
/// </summary>
public sealed class CentrifugoProtobufDialect : CentrifugoDialect
{
    public static readonly CentrifugoProtobufDialect Instance = new();

    private CentrifugoProtobufDialect()
    {
    }

    public override string Name => "centrifugo-protobuf";

    public override int Slot => 2;

    public override bool BinaryFrames => true;

    public override byte[] Ping => CentrifugoProtobufFrames.Ping;

    public override IEnumerable<DecodeResult> Decode(byte[] frame) => CentrifugoProtobufDecoder.Decode(frame);

    public override byte[] Connected(long? id, string client, int pingSeconds, TimeSpan? ttl, bool refresh) =>
        CentrifugoProtobufFrames.Connected(id, client, pingSeconds, ttl, refresh);

    public override byte[] Publication(string channel, long offset, ReadOnlySpan<byte> data) => CentrifugoProtobufFrames.Publication(channel, offset, data);

    public override byte[] Membership(bool joined, string channel, string client, string user) => CentrifugoProtobufFrames.Membership(joined, channel, client, user);

    public override byte[] Subscribed(long? id, SubscribedReply reply) => CentrifugoProtobufFrames.Subscribed(id, reply);

    public override byte[] Unsubscribed(long? id, string channel) => CentrifugoProtobufFrames.Unsubscribed(id);

    public override byte[] SubscriptionLost(string channel, string reason) => CentrifugoProtobufFrames.SubscriptionLost(channel, reason);

    public override byte[] Published(long? id, string channel, long offset, string epoch) => CentrifugoProtobufFrames.Published(id);

    public override byte[] Presence(long? id, string channel, IEnumerable<(string Client, string User)> clients) => CentrifugoProtobufFrames.Presence(id, clients);

    public override byte[] PresenceStats(long? id, string channel, int clients, int users) => CentrifugoProtobufFrames.PresenceStats(id, clients, users);

    public override byte[] History(long? id, string channel, long offset, string epoch, IEnumerable<(long Offset, byte[] Data)> publications) =>
        CentrifugoProtobufFrames.History(id, offset, epoch, publications);

    public override byte[] Error(long? id, ProtocolError error) => CentrifugoProtobufFrames.Error(id, error);
}
