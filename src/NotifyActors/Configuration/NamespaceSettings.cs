namespace NotifyActors.Configuration;

/// <summary>The options of one channel namespace (notify.namespaces.NAME).</summary>
public sealed record NamespaceSettings(string Name, bool AllowClientPublish, bool AllowAnonymous, bool AllowUserLimited)
{
    public const string DefaultName = "default";

    internal static NamespaceSettings Create(string name, ConfigReader section) =>
        new(name, section.Bool("allow-client-publish"), section.Bool("allow-anonymous"), section.Bool("allow-user-limited"));
}
