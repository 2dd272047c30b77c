namespace NotifyActors.Protocol;

/// <summary>A decoded client command. <see cref="Id"/> is echoed in the reply (null: none was sent).</summary>
public abstract record ClientCommand(long? Id);

public sealed record SubscribeCommand(long? Id, string Channel, RecoveryPosition? Recover) : ClientCommand(Id);

public sealed record UnsubscribeCommand(long? Id, string Channel) : ClientCommand(Id);

/// <summary><see cref="Data"/> is the UTF-8 JSON text of the published value, kept verbatim.</summary>
public sealed record PublishCommand(long? Id, string Channel, byte[] Data) : ClientCommand(Id);

public sealed record PresenceCommand(long? Id, string Channel) : ClientCommand(Id);

/// <summary>How many clients and distinct users are subscribed (Centrifugo's presence_stats).</summary>
public sealed record PresenceStatsCommand(long? Id, string Channel) : ClientCommand(Id);

/// <summary>
/// <see cref="Limit"/>: at most this many (null: all kept). <see cref="Since"/>: only those after this position.
/// Without a position the newest are taken, unless <see cref="Order"/> asks for the oldest.
/// </summary>
public sealed record HistoryCommand(long? Id, string Channel, int? Limit, RecoveryPosition? Since, HistoryOrder Order = HistoryOrder.Native) : ClientCommand(Id);

/// <summary>
/// How a history answer is ordered. Native: oldest first; without a position, the newest <c>limit</c>.
/// Centrifugo: without reverse, the oldest <c>limit</c> (after the position, if any), oldest first; with reverse,
/// the newest (before the position, if any), newest first.
/// </summary>
public enum HistoryOrder
{
    Native,
    Forward,
    Reverse,
}

/// <summary>Authenticates a connection that connects in band (<see cref="IClientDialect.ConnectsInBand"/>); <see cref="Token"/> null: anonymous.</summary>
public sealed record ConnectCommand(long? Id, string? Token) : ClientCommand(Id);

/// <summary>A fresh token for the same user, before the connection's expires.</summary>
public sealed record RefreshCommand(long? Id, string? Token) : ClientCommand(Id);

public sealed record PongCommand(long? Id) : ClientCommand(Id);

/// <summary>An asynchronous message to the server (Centrifugo's send): nothing handles it and it gets no answer, but it costs a command like any other.</summary>
public sealed record SendCommand() : ClientCommand((long?)null)
{
    public static readonly SendCommand Instance = new();
}

/// <summary>Where a client left a channel: the last offset it saw in an epoch.</summary>
public sealed record RecoveryPosition(long Offset, string Epoch);
