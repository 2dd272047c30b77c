namespace NotifyActors.Protocol;

/// <summary>A decoded client command. <see cref="Id"/> is echoed in the reply (null: none was sent).</summary>
public abstract record ClientCommand(long? Id);

public sealed record SubscribeCommand(long? Id, string Channel, RecoveryPosition? Recover) : ClientCommand(Id);

public sealed record UnsubscribeCommand(long? Id, string Channel) : ClientCommand(Id);

/// <summary><see cref="Data"/> is the UTF-8 JSON text of the published value, kept verbatim.</summary>
public sealed record PublishCommand(long? Id, string Channel, byte[] Data) : ClientCommand(Id);

public sealed record PresenceCommand(long? Id, string Channel) : ClientCommand(Id);

/// <summary><see cref="Limit"/>: at most this many (the newest; null: all kept). <see cref="Since"/>: only those after this position.</summary>
public sealed record HistoryCommand(long? Id, string Channel, int? Limit, RecoveryPosition? Since) : ClientCommand(Id);

public sealed record PongCommand(long? Id) : ClientCommand(Id);

/// <summary>Where a client left a channel: the last offset it saw in an epoch.</summary>
public sealed record RecoveryPosition(long Offset, string Epoch);
