namespace NotifyActors.Configuration;

/// <summary>
/// The options of one channel namespace (notify.namespaces.NAME). A named namespace takes every
/// option it does not set from the default namespace.
/// </summary>
/// <param name="HistorySize">Publications kept per channel for history and recovery; 0 keeps none.</param>
/// <param name="HistoryTtl">How long a kept publication stays in history.</param>
public sealed record NamespaceSettings(
    string Name,
    int HistorySize,
    TimeSpan HistoryTtl,
    bool Presence,
    bool JoinLeave,
    bool AllowClientPublish,
    bool AllowAnonymous,
    bool AllowUserLimited)
{
    public const string DefaultName = "default";

    public bool KeepsHistory => HistorySize > 0;

    internal static NamespaceSettings Create(string name, ConfigReader section) =>
        new(
            name,
            section.NonNegativeInt("history-size"),
            section.PositiveDuration("history-ttl"),
            section.Bool("presence"),
            section.Bool("join-leave"),
            section.Bool("allow-client-publish"),
            section.Bool("allow-anonymous"),
            section.Bool("allow-user-limited"));
}
