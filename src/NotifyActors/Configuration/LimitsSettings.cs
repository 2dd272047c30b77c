namespace NotifyActors.Configuration;

/// <summary>notify.limits: input sizes the service accepts.</summary>
public sealed record LimitsSettings(int MaxFrameBytes, int MaxPublishBytes)
{
    internal static LimitsSettings Create(ConfigReader section) =>
        new(checked((int)section.PositiveBytes("max-frame-bytes")), checked((int)section.PositiveBytes("max-publish-bytes")));
}
