namespace NotifyActors.Protocol.Centrifugo;

/// <summary>
/// Centrifugo's client protocol in JSON (PROTOCOL.md section 7) at /connection/websocket without a subprotocol: text
/// frames, commands read by <see cref="CentrifugoJsonDecoder"/>, replies and pushes written by
/// <see cref="CentrifugoJsonFrames"/>, codes from <see cref="CentrifugoCodes"/>. The client authenticates with its
/// connect command.
/// </summary>
public sealed class CentrifugoJsonDialect : CentrifugoDialect
{
    public static readonly CentrifugoJsonDialect Instance = new();

    private CentrifugoJsonDialect()
    {
    }

    public override string Name => "centrifugo-json";

    public override int Slot => 1;

    public override bool BinaryFrames => false;

    public override byte[] Ping => CentrifugoJsonFrames.Ping;

    public override IEnumerable<DecodeResult> Decode(byte[] frame) => CentrifugoJsonDecoder.Decode(frame);

    public override byte[] Connected(long? id, string client, int pingSeconds, TimeSpan? ttl, bool refresh) =>
        CentrifugoJsonFrames.Connected(id, client, pingSeconds, ttl, refresh);

    public override byte[] Publication(string channel, long offset, ReadOnlySpan<byte> data) => CentrifugoJsonFrames.Publication(channel, offset, data);

    public override byte[] Membership(bool joined, string channel, string client, string user) => CentrifugoJsonFrames.Membership(joined, channel, client, user);

    public override byte[] Subscribed(long? id, SubscribedReply reply) => CentrifugoJsonFrames.Subscribed(id, reply);

    public override byte[] Unsubscribed(long? id, string channel) => CentrifugoJsonFrames.Unsubscribed(id);

    public override byte[] SubscriptionLost(string channel, string reason) => CentrifugoJsonFrames.SubscriptionLost(channel, reason);

    public override byte[] Published(long? id, string channel, long offset, string epoch) => CentrifugoJsonFrames.Published(id);

    public override byte[] Presence(long? id, string channel, IEnumerable<(string Client, string User)> clients) => CentrifugoJsonFrames.Presence(id, clients);

    public override byte[] PresenceStats(long? id, string channel, int clients, int users) => CentrifugoJsonFrames.PresenceStats(id, clients, users);

    public override byte[] History(long? id, string channel, long offset, string epoch, IEnumerable<(long Offset, byte[] Data)> publications) =>
        CentrifugoJsonFrames.History(id, offset, epoch, publications);

    public override byte[] Error(long? id, ProtocolError error) => CentrifugoJsonFrames.Error(id, error);
}
