namespace NotifyActors.Configuration;

/// <summary>
/// notify.tcp: what the listeners accept below WebSockets, before any request is read, so that no
/// client can take the descriptors the process needs to go on serving.
/// </summary>
/// <param name="MaxConnections">TCP connections the public listeners hold at once; null ("auto"): the open-file limit minus <paramref name="DescriptorReserve"/>.</param>
/// <param name="DescriptorReserve">Descriptors kept free of public connections beyond those the process holds at start: the admin listener's, the store's, the runtime's later ones.</param>
/// <param name="MaxPendingPerAddress">Connections from one client address that are not WebSockets (yet); 0: no limit.</param>
/// <param name="RequestHeadersTimeout">How long a client has to send a request's headers before its connection is closed.</param>
/// <param name="MaxAdminConnections">TCP connections the admin listeners hold at once, out of the reserve.</param>
public sealed record TcpSettings(int? MaxConnections, int DescriptorReserve, int MaxPendingPerAddress, TimeSpan RequestHeadersTimeout, int MaxAdminConnections)
{
    internal static TcpSettings Create(ConfigReader section)
    {
        var settings = new TcpSettings(
            section.String("max-connections").Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : section.PositiveInt("max-connections"),
            section.PositiveInt("descriptor-reserve"),
            section.NonNegativeInt("max-pending-per-address"),
            section.PositiveDuration("request-headers-timeout"),
            section.PositiveInt("max-admin-connections"));
        if (settings.MaxAdminConnections >= settings.DescriptorReserve)
            throw new SettingsException(section.Path("max-admin-connections"),
                $"must be below descriptor-reserve ({settings.DescriptorReserve}): admin connections are taken from the reserve, which must leave some for the process itself");
        return settings;
    }

    /// <summary>
    /// How many public connections fit in <paramref name="openFileLimit"/> descriptors (null: no limit is
    /// known, as on Windows) when <paramref name="inUse"/> are open already and the reserve is kept free.
    /// Throws when the limit leaves no room.
    /// </summary>
    public int? PublicConnectionsWithin(long? openFileLimit, int inUse)
    {
        if (openFileLimit is not { } limit)
            return MaxConnections;
        var room = limit - inUse - DescriptorReserve;
        if (room < 1)
            throw new SettingsException("notify.tcp.descriptor-reserve",
                $"the open-file limit (ulimit -n) is {limit} and {inUse} descriptors are open at start: nothing is left for connections beyond the reserve of {DescriptorReserve}");
        if (MaxConnections is { } configured && configured > room)
            throw new SettingsException("notify.tcp.max-connections",
                $"{configured} connections do not fit in the open-file limit of {limit} ({inUse} open at start, descriptor-reserve {DescriptorReserve}); at most {room}, or \"auto\"");
        return MaxConnections ?? (int)Math.Min(room, int.MaxValue);
    }
}
