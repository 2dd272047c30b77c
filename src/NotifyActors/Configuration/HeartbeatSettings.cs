namespace NotifyActors.Configuration;

/// <summary>notify.heartbeat: how often the server pings and how long it waits for a sign of life.</summary>
public sealed record HeartbeatSettings(TimeSpan Interval, TimeSpan Timeout)
{
    /// <summary>No frame from the client for this long closes the connection with 4000.</summary>
    public TimeSpan Deadline => Interval + Timeout;

    /// <summary>The interval as the welcome frame announces it: whole seconds, at least 1 (sub-second intervals are for tests).</summary>
    public int AnnouncedSeconds => Math.Max(1, (int)Math.Round(Interval.TotalSeconds));

    internal static HeartbeatSettings Create(ConfigReader section) =>
        new(section.PositiveDuration("interval"), section.PositiveDuration("timeout"));
}
