namespace NotifyActors.Protocol;

/// <summary>
/// The native protocol (PROTOCOL.md section 1) at /ws: one JSON command per text frame (<see cref="CommandDecoder"/>),
/// replies and pushes written by <see cref="ServerFrames"/>, the client authenticated at the upgrade.
/// </summary>
public sealed class NativeDialect : IClientDialect
{
    public static readonly NativeDialect Instance = new();

    private NativeDialect()
    {
    }

    public string Name => "native";

    public int Slot => 0;

    public bool BinaryFrames => false;

    public bool ConnectsInBand => false;

    public bool ClosesOnMalformed => false;

    public byte[] Ping => ServerFrames.Ping;

    public IEnumerable<DecodeResult> Decode(byte[] frame) => [CommandDecoder.Decode(frame)];

    public byte[]? Welcome(string client, string user, int pingSeconds) => ServerFrames.Welcome(client, user, pingSeconds);

    public byte[] Connected(long? id, string client, int pingSeconds, TimeSpan? ttl, bool refresh) =>
        throw new NotSupportedException("native clients are authenticated at the upgrade");

    public byte[] Publication(string channel, long offset, ReadOnlySpan<byte> data) => ServerFrames.Publication(channel, offset, data);

    public byte[] Membership(bool joined, string channel, string client, string user) =>
        ServerFrames.Membership(joined ? "join" : "leave", channel, client, user);

    public byte[] Subscribed(long? id, SubscribedReply reply) =>
        ServerFrames.Subscribed(id, reply.Channel, reply.Offset, reply.Epoch, reply.Recovered, reply.Publications);

    public byte[] Unsubscribed(long? id, string channel) => ServerFrames.Unsubscribed(id, channel);

    public byte[] SubscriptionLost(string channel, string reason) => ServerFrames.Unsubscribed(null, channel, reason);

    public byte[] Published(long? id, string channel, long offset, string epoch) => ServerFrames.Published(id, channel, offset, epoch);

    public byte[] Presence(long? id, string channel, IEnumerable<(string Client, string User)> clients) => ServerFrames.Presence(id, channel, clients);

    public byte[] PresenceStats(long? id, string channel, int clients, int users) =>
        throw new NotSupportedException("the native protocol has no presence_stats command");

    public byte[] History(long? id, string channel, long offset, string epoch, IEnumerable<(long Offset, byte[] Data)> publications) =>
        ServerFrames.History(id, channel, offset, epoch, publications);

    public byte[] Error(long? id, ProtocolError error) => ServerFrames.Error(id, error with { Code = ContractCode(error.Code) });

    public CloseReason Close(CloseReason reason) => reason;

    /// <summary>The native contract's code for one of the finer core codes (<see cref="ErrorCodes"/>).</summary>
    private static string ContractCode(string code) => code switch
    {
        ErrorCodes.AlreadySubscribed => ErrorCodes.BadRequest,
        ErrorCodes.TooManyRequests => ErrorCodes.LimitExceeded,
        ErrorCodes.UnrecoverablePosition => ErrorCodes.NotAvailable,
        ErrorCodes.TokenExpired => ErrorCodes.PermissionDenied,
        _ => code,
    };
}
