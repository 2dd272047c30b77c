namespace NotifyActors.Protocol.Centrifugo;

/// <summary>
/// What both of Centrifugo's encodings share: the client connects in band with a token, a malformed command closes
/// the connection (3501), and closes carry Centrifugo's codes (<see cref="CentrifugoCodes"/>). The encodings differ
/// only in how frames are read and written (<see cref="CentrifugoJsonDialect"/>, <see cref="CentrifugoProtobufDialect"/>).
/// </summary>
public abstract class CentrifugoDialect : IClientDialect
{
    public abstract string Name { get; }

    public abstract int Slot { get; }

    public abstract bool BinaryFrames { get; }

    public bool ConnectsInBand => true;

    public bool ClosesOnMalformed => true;

    public abstract byte[] Ping { get; }

    public abstract IEnumerable<DecodeResult> Decode(byte[] frame);

    public byte[]? Welcome(string client, string user, int pingSeconds) => null;

    public abstract byte[] Connected(long? id, string client, int pingSeconds, TimeSpan? ttl, bool refresh);

    public abstract byte[] Publication(string channel, long offset, ReadOnlySpan<byte> data);

    public abstract byte[] Membership(bool joined, string channel, string client, string user);

    public abstract byte[] Subscribed(long? id, SubscribedReply reply);

    public abstract byte[] Unsubscribed(long? id, string channel);

    public abstract byte[] SubscriptionLost(string channel, string reason);

    public abstract byte[] Published(long? id, string channel, long offset, string epoch);

    public abstract byte[] Presence(long? id, string channel, IEnumerable<(string Client, string User)> clients);

    public abstract byte[] PresenceStats(long? id, string channel, int clients, int users);

    public abstract byte[] History(long? id, string channel, long offset, string epoch, IEnumerable<(long Offset, byte[] Data)> publications);

    public abstract byte[] Error(long? id, ProtocolError error);

    public CloseReason Close(CloseReason reason) => CentrifugoCodes.Close(reason);
}
