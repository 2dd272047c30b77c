namespace NotifyActors.Configuration;

/// <summary>
/// notify.limits: input sizes and the per-connection, per-user and per-node limits the service enforces.
/// </summary>
/// <param name="MaxChannelsPerConnection">Subscriptions one connection may hold; past it a subscribe gets limit_exceeded.</param>
/// <param name="MaxConnectionsPerUser">Open connections per (non-anonymous) user; past it a new one is closed with 4004. 0: no limit.</param>
/// <param name="MaxConnections">Open WebSockets on this node; past it an upgrade is answered 503 before any socket opens.</param>
/// <param name="CommandRate">Commands per second one connection may send on average (token bucket refill rate).</param>
/// <param name="CommandBurst">Commands one connection may send at once (token bucket size).</param>
/// <param name="MaxRejectedCommands">Rate-limited commands in a row (none allowed in between) that close the connection with 4002.</param>
/// <param name="MaxBroadcastChannels">Channels one POST /api/broadcast may name; more is answered 413.</param>
public sealed record LimitsSettings(
    int MaxFrameBytes,
    int MaxPublishBytes,
    int MaxChannelsPerConnection,
    int MaxConnectionsPerUser,
    int MaxConnections,
    double CommandRate,
    int CommandBurst,
    int MaxRejectedCommands,
    int MaxBroadcastChannels)
{
    /// <summary>Whether <see cref="MaxConnectionsPerUser"/> limits anything (0 turns the limit off).</summary>
    public bool LimitsConnectionsPerUser => MaxConnectionsPerUser > 0;

    internal static LimitsSettings Create(ConfigReader section) =>
        new(
            (int)section.PositiveBytes("max-frame-bytes", int.MaxValue),
            (int)section.PositiveBytes("max-publish-bytes", int.MaxValue),
            section.PositiveInt("max-channels-per-connection"),
            section.NonNegativeInt("max-connections-per-user"),
            section.PositiveInt("max-connections"),
            section.PositiveNumber("command-rate"),
            section.PositiveInt("command-burst"),
            section.PositiveInt("max-rejected-commands"),
            section.PositiveInt("max-broadcast-channels"));
}
