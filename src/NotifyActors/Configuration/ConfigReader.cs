using Akka.Configuration;

namespace NotifyActors.Configuration;

/// <summary>
/// Reads typed values from the notify section so that every bad value becomes a
/// <see cref="SettingsException"/> naming the full key instead of a HOCON parser error.
/// </summary>
internal sealed class ConfigReader(Config config, string prefix)
{
    public string Prefix => prefix;

    public ConfigReader Section(string name) => new(config, $"{prefix}.{name}");

    public string Path(string key) => $"{prefix}.{key}";

    public bool Has(string key) => config.HasPath(Path(key));

    public string String(string key)
    {
        Require(key);
        return config.GetString(Path(key)) ?? "";
    }

    public bool Bool(string key) => Read(key, "expected on/off, true/false or yes/no", () => config.GetBoolean(Path(key)));

    public TimeSpan PositiveDuration(string key)
    {
        var value = Read(key, "expected a duration such as 10s or 500ms", () => config.GetTimeSpan(Path(key), null, allowInfinite: false));
        if (value <= TimeSpan.Zero)
            throw new SettingsException(Path(key), "must be greater than zero");
        return value;
    }

    public int PositiveInt(string key)
    {
        var value = Read(key, "expected a whole number", () => config.GetInt(Path(key)));
        if (value <= 0)
            throw new SettingsException(Path(key), "must be greater than zero");
        return value;
    }

    public long PositiveBytes(string key, long max = long.MaxValue)
    {
        var value = Read(key, "expected a size such as 65536 or 1MiB", () => config.GetByteSize(Path(key)) ?? 0);
        if (value <= 0)
            throw new SettingsException(Path(key), "must be greater than zero");
        if (value > max)
            throw new SettingsException(Path(key), $"must be at most {max} bytes");
        return value;
    }

    /// <summary>A whole number of at least zero (for limits where 0 means "no limit").</summary>
    public int NonNegativeInt(string key)
    {
        var value = Read(key, "expected a whole number", () => config.GetInt(Path(key)));
        if (value < 0)
            throw new SettingsException(Path(key), "must not be negative");
        return value;
    }

    /// <summary>A number greater than zero; fractions allowed.</summary>
    public double PositiveNumber(string key)
    {
        var value = Read(key, "expected a number", () => config.GetDouble(Path(key)));
        if (!(value > 0) || double.IsInfinity(value))
            throw new SettingsException(Path(key), "must be a finite number greater than zero");
        return value;
    }

    /// <summary>A HOCON list of strings, or one string of comma-separated items (as an environment variable gives).</summary>
    public IReadOnlyList<string> StringList(string key)
    {
        Require(key);
        const string expected = "expected a list of strings such as [\"https://example.com\"]";
        var value = config.GetValue(Path(key));
        if (value.IsObject())
            throw new SettingsException(Path(key), $"{expected} (got an object)");
        var items = value.IsString()
            ? value.GetString().Split(',')
            : Read(key, expected, () => config.GetStringList(Path(key)) ?? []);
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
        try { return config.GetString(Path(key)) ?? ""; }
        catch (Exception) { return "?"; }
    }

    private void Require(string key)
    {
        if (!config.HasPath(Path(key)))
            throw new SettingsException(Path(key), "is missing");
    }
}
