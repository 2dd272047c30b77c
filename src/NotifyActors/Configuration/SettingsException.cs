namespace NotifyActors.Configuration;

/// <summary>A configuration value that stops start-up. The message always names the key.</summary>
public sealed class SettingsException(string key, string problem)
    : Exception($"Invalid setting '{key}': {problem}")
{
    public string Key { get; } = key;
}
