namespace NotifyActors.Configuration;

/// <summary>notify.watchdog: when the leak watchdog calls a drift a suspected leak.</summary>
public sealed record WatchdogSettings(TimeSpan Interval, int Tolerance, int MaxDeadLettersPerSecond, TimeSpan Grace)
{
    internal static WatchdogSettings Create(ConfigReader section) =>
        new(section.PositiveDuration("interval"), section.NonNegativeInt("tolerance"), section.PositiveInt("max-dead-letters-per-second"), section.PositiveDuration("grace"));
}
