using Akka.Configuration;

namespace NotifyActors.Configuration;

/// <summary>The shipped defaults (hocon/notify.hocon, embedded in this assembly).</summary>
public static class NotifyConfig
{
    public static Config Defaults { get; } = Load();

    private static Config Load()
    {
        using var stream = typeof(NotifyConfig).Assembly.GetManifestResourceStream("NotifyActors.notify.hocon")
            ?? throw new InvalidOperationException("The embedded notify.hocon is missing from the NotifyActors assembly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
