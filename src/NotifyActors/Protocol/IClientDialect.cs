namespace NotifyActors.Protocol;

/// <summary>
/// One client protocol as the connection core speaks it: how a client frame becomes commands and how replies, pushes
/// and closes are written. A dialect translates and nothing else: it owns no socket, timer or actor (the
/// connection's <see cref="Connections.SubscriberActor"/> owns those), and it is stateless, shared by every connection
/// that speaks it. The native protocol is <see cref="NativeDialect"/>, Centrifugo's
/// <see cref="Centrifugo.CentrifugoJsonDialect"/>.
/// </summary>
public interface IClientDialect
{
    /// <summary>As the admin API and notifyctl show it ("native", "centrifugo-json", "centrifugo-protobuf").</summary>
    string Name { get; }

    /// <summary>Where a publication keeps this dialect's frame (<see cref="Channels.Publication"/>): 0 .. <see cref="ClientDialects.Count"/> - 1.</summary>
    int Slot { get; }

    /// <summary>Binary WebSocket frames both ways (else text); a frame of the other kind ends the connection.</summary>
    bool BinaryFrames { get; }

    /// <summary>
    /// The client authenticates with a connect command after the upgrade (Centrifugo), not at the upgrade (native): the
    /// connection takes nothing else until its connect is answered.
    /// </summary>
    bool ConnectsInBand { get; }

    /// <summary>A malformed command closes the connection (Centrifugo: 3501) instead of being answered bad_request.</summary>
    bool ClosesOnMalformed { get; }

    /// <summary>
    /// The commands of one client frame, in order, decoded one at a time as they are taken, so that a caller that stops
    /// (the command rate) never pays for decoding the rest. At least one item per frame; never throws on bad input.
    /// </summary>
    IEnumerable<DecodeResult> Decode(byte[] frame);

    /// <summary>The server's heartbeat frame, the same bytes for every connection.</summary>
    byte[] Ping { get; }

    /// <summary>The first frame of a connection authenticated at the upgrade; null for a dialect that connects in band.</summary>
    byte[]? Welcome(string client, string user, int pingSeconds);

    /// <summary>The answer to a connect (or, with <paramref name="refresh"/>, a refresh) command; <paramref name="ttl"/> null: the token never expires.</summary>
    byte[] Connected(long? id, string client, int pingSeconds, TimeSpan? ttl, bool refresh);

    byte[] Publication(string channel, long offset, ReadOnlySpan<byte> data);

    byte[] Membership(bool joined, string channel, string client, string user);

    byte[] Subscribed(long? id, SubscribedReply reply);

    /// <summary>The answer to an unsubscribe command.</summary>
    byte[] Unsubscribed(long? id, string channel);

    /// <summary>The server ends a subscription: the client resubscribes, with recovery where the channel keeps history.</summary>
    byte[] SubscriptionLost(string channel, string reason);

    byte[] Published(long? id, string channel, long offset, string epoch);

    byte[] Presence(long? id, string channel, IEnumerable<(string Client, string User)> clients);

    byte[] PresenceStats(long? id, string channel, int clients, int users);

    byte[] History(long? id, string channel, long offset, string epoch, IEnumerable<(long Offset, byte[] Data)> publications);

    byte[] Error(long? id, ProtocolError error);

    /// <summary>The close code and text this dialect sends for a core reason.</summary>
    CloseReason Close(CloseReason reason);
}

/// <summary>
/// A subscription that took effect: the channel's position, whether it keeps history (<see cref="Recoverable"/>),
/// and, when the client asked to recover (<see cref="Recovered"/> not null), what it missed.
/// </summary>
public sealed record SubscribedReply(
    string Channel,
    long Offset,
    string Epoch,
    bool Recoverable,
    bool? Recovered,
    IEnumerable<(long Offset, byte[] Data)> Publications);
