namespace NotifyActors.Configuration;

/// <summary>notify.limits: input sizes the service accepts.</summary>
public sealed record LimitsSettings(int MaxFrameBytes, int MaxPublishBytes)
{
    internal static LimitsSettings Create(ConfigReader section) =>
        new((int)section.PositiveBytes("max-frame-bytes", int.MaxValue), (int)section.PositiveBytes("max-publish-bytes", int.MaxValue));
}
