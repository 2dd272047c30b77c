namespace NotifyActors.Configuration;

/// <summary>notify.outbound: the bounds of one socket's outbound queue (past them: slow consumer, 4001).</summary>
public sealed record OutboundSettings(int MaxFrames, long MaxBytes, TimeSpan WriteTimeout, TimeSpan CloseTimeout)
{
    internal static OutboundSettings Create(ConfigReader section) =>
        new(section.PositiveInt("max-frames"), section.PositiveBytes("max-bytes"), section.PositiveDuration("write-timeout"), section.PositiveDuration("close-timeout"));
}
