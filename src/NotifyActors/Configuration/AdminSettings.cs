namespace NotifyActors.Configuration;

/// <summary>
/// notify.admin (besides the token, which the host resolves with the other secrets): where the admin
/// API listens and how many recent dead letters it keeps for GET /admin/deadletters.
/// </summary>
/// <param name="Urls">Admin listen addresses; loopback by default, any address may be configured.</param>
/// <param name="DeadLetterRing">How many of the most recent dead letters are kept.</param>
public sealed record AdminSettings(IReadOnlyList<string> Urls, int DeadLetterRing)
{
    internal static AdminSettings Create(ConfigReader section)
    {
        var urls = section.String("urls").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
            throw new SettingsException(section.Path("urls"), "needs at least one address (the default is http://127.0.0.1:5081)");
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/")
                throw new SettingsException(section.Path("urls"), $"'{url}' is not an http://host:port address");
        }
        return new AdminSettings(urls, section.PositiveInt("dead-letter-ring"));
    }
}
