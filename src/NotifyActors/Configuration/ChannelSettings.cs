namespace NotifyActors.Configuration;

/// <summary>notify.channels: how long a channel's actor outlives its last subscriber.</summary>
/// <param name="IdleTimeout">
/// A channel with no subscribers, no publication and no query for this long stops (passivates); 0 stops it at
/// once. What a channel in a namespace with history must remember is in the journal, so its next incarnation
/// recovers the same epoch and offsets. The wait spares re-creating the actors of a channel whose subscribers
/// come and go.
/// </param>
/// <param name="PositionCheck">
/// How often a node's part of a channel (its hub) asks the channel's owner for its position while it has subscribers,
/// and repairs from history what it missed: a publication lost between nodes, with none after it to show the gap,
/// reaches the subscribers within this time.
/// </param>
public sealed record ChannelSettings(TimeSpan IdleTimeout, TimeSpan PositionCheck)
{
    internal static ChannelSettings Create(ConfigReader section) =>
        new(section.NonNegativeDuration("idle-timeout"), section.PositiveDuration("position-check"));
}
