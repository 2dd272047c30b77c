using Akka.Configuration;

namespace NotifyActors.Configuration;

/// <summary>
/// Reads typed values from the notify section so that every bad value becomes a
/// <see cref="SettingsException"/> naming the full key instead of a HOCON parser error.
/// <paramref name="shownAs"/> is the key path the operator wrote, when <paramref name="config"/>
/// is a section merged from several places (a namespace over the default namespace).
/// </summary>
internal sealed class ConfigReader(Config config, string prefix, string? shownAs = null)
{
    private readonly string _shownAs = shownAs ?? prefix;

    public string Prefix => prefix;

    public ConfigReader Section(string name) => new(config, $"{prefix}.{name}", $"{_shownAs}.{name}");

    /// <summary>A reader over <paramref name="merged"/> whose errors still name keys under this section.</summary>
    public ConfigReader Over(Config merged) => new(merged, "", _shownAs);

    public string Path(string key) => $"{_shownAs}.{key}";

    private string Lookup(string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";

    public string String(string key)
    {
        Require(key);
        return config.GetString(Lookup(key)) ?? "";
    }

    public bool Bool(string key) => Read(key, "expected on/off, true/false or yes/no", () => config.GetBoolean(Lookup(key)));

    public TimeSpan PositiveDuration(string key)
    {
        var value = Read(key, "expected a duration such as 10s or 500ms", () => config.GetTimeSpan(Lookup(key), null, allowInfinite: false));
        if (value <= TimeSpan.Zero)
            throw new SettingsException(Path(key), "must be greater than zero");
        return value;
    }

    public TimeSpan NonNegativeDuration(string key)
    {
        var value = Read(key, "expected a duration such as 10s or 500ms", () => config.GetTimeSpan(Lookup(key), null, allowInfinite: false));
        if (value < TimeSpan.Zero)
            throw new SettingsException(Path(key), "must not be negative");
        return value;
    }

    public int PositiveInt(string key)
    {
        var value = Read(key, "expected a whole number", () => config.GetInt(Lookup(key)));
        if (value <= 0)
            throw new SettingsException(Path(key), "must be greater than zero");
        return value;
    }

    public int NonNegativeInt(string key)
    {
        var value = Read(key, "expected a whole number", () => config.GetInt(Lookup(key)));
        if (value < 0)
            throw new SettingsException(Path(key), "must not be negative");
        return value;
    }

    public long PositiveBytes(string key, long max = long.MaxValue)
    {
        var value = Read(key, "expected a size such as 65536 or 1MiB", () => config.GetByteSize(Lookup(key)) ?? 0);
        if (value <= 0)
            throw new SettingsException(Path(key), "must be greater than zero");
        if (value > max)
            throw new SettingsException(Path(key), $"must be at most {max} bytes");
        return value;
    }

    /// <summary>A number greater than zero; fractions allowed.</summary>
    public double PositiveNumber(string key)
    {
        var value = Read(key, "expected a number", () => config.GetDouble(Lookup(key)));
        if (!(value > 0) || double.IsInfinity(value))
            throw new SettingsException(Path(key), "must be a finite number greater than zero");
        return value;
    }

    /// <summary>A HOCON list of strings, or one string of comma-separated items (as an environment variable gives).</summary>
    public IReadOnlyList<string> StringList(string key)
    {
        Require(key);
        const string expected = "expected a list of strings such as [\"https://example.com\"]";
        var value = config.GetValue(Lookup(key));
        if (value.IsObject())
            throw new SettingsException(Path(key), $"{expected} (got an object)");
        var items = value.IsString()
            ? value.GetString().Split(',')
            : Read(key, expected, () => config.GetStringList(Lookup(key)) ?? []);
        return items.Select(item => item.Trim()).Where(item => item.Length > 0).ToArray();
    }

    private T Read<T>(string key, string expected, Func<T> read)
    {
        Require(key);
        try
        {
            return read();
        }
        catch (Exception e) when (e is not SettingsException)
        {
            throw new SettingsException(Path(key), $"{expected} (got '{Raw(key)}')");
        }
    }

    private string Raw(string key)
    {
        try { return config.GetString(Lookup(key)) ?? ""; }
        catch (Exception) { return "?"; }
    }

    private void Require(string key)
    {
        if (!config.HasPath(Lookup(key)))
            throw new SettingsException(Path(key), "is missing");
    }
}
