using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using NotifyActors.Configuration;
using NotifyActors.Server.Connections;

namespace NotifyActors.Server.Hosting;

/// <summary>
/// Kestrel's listen addresses: the public ones (notify.urls) and the admin ones (notify.admin.urls),
/// one server for both. It remembers the admin listeners so that an admin endpoint can tell, from the
/// local end of the connection (never from the Host header, which the client chooses), whether a
/// request came in on an admin address. After start the listeners carry their bound ports, so port 0
/// (tests) works too.
/// </summary>
public sealed class Listeners
{
    private readonly List<ListenOptions> _admin = [];
    private readonly List<(Uri Address, string Key)> _configured = [];

    /// <summary>
    /// Adds every public and admin address to Kestrel, each behind its side of <paramref name="admission"/>.
    /// Throws <see cref="SettingsException"/> for a malformed one.
    /// </summary>
    public void Configure(KestrelServerOptions kestrel, NotifySettings settings, ConnectionAdmission admission)
    {
        foreach (var url in settings.Urls)
            Listen(kestrel, url, "NOTIFY_URLS (notify.urls)", admission.Public, null);
        foreach (var url in settings.Admin.Urls)
            Listen(kestrel, url, "NOTIFY_ADMIN_URLS (notify.admin.urls)", admission.Admin, _admin);
    }

    /// <summary>Checks every address at build time, so a malformed one stops start-up with exit code 2.</summary>
    public static void Validate(NotifySettings settings)
    {
        foreach (var url in settings.Urls)
            Parse(url, "NOTIFY_URLS (notify.urls)", admin: false);
        foreach (var url in settings.Admin.Urls)
            Parse(url, "NOTIFY_ADMIN_URLS (notify.admin.urls)", admin: true);
    }

    /// <summary>
    /// The setting to blame for Kestrel's failure to bind an address that another process holds: the
    /// configured address on the port its message names.
    /// </summary>
    public SettingsException AddressInUse(IOException bindFailure)
    {
        foreach (var (address, key) in _configured)
        {
            if (bindFailure.Message.Contains($":{address.Port}", StringComparison.Ordinal))
                return new SettingsException(key, $"'{address.GetLeftPart(UriPartial.Authority)}' is already in use by another process");
        }
        return new SettingsException("NOTIFY_URLS (notify.urls) or NOTIFY_ADMIN_URLS (notify.admin.urls)", bindFailure.Message);
    }

    /// <summary>The admin addresses as bound (http://IP:PORT), for tests and the start-up line.</summary>
    public IReadOnlyList<Uri> AdminAddresses =>
        _admin.Select(listen => new Uri($"http://{Format(listen.IPEndPoint!)}/")).ToList();

    /// <summary>Did this connection arrive on an admin listener?</summary>
    public bool IsAdmin(ConnectionInfo connection)
    {
        if (connection.LocalIpAddress is not { } local)
            return false;
        if (local.IsIPv4MappedToIPv6)
            local = local.MapToIPv4();
        foreach (var listen in _admin)
        {
            if (listen.IPEndPoint is not { } bound || bound.Port != connection.LocalPort)
                continue;
            var address = bound.Address.IsIPv4MappedToIPv6 ? bound.Address.MapToIPv4() : bound.Address;
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(local)
                || (IPAddress.IsLoopback(address) && IPAddress.IsLoopback(local)))
                return true;
        }
        return false;
    }

    private static Uri Parse(string url, string key, bool admin)
    {
        var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.AbsolutePath != "/")
            throw new SettingsException(key, $"'{url}' is not a listen address such as http://127.0.0.1:5080");
        if (admin && uri.Scheme != Uri.UriSchemeHttp)
            throw new SettingsException(key, $"'{url}': the admin API listens on plain http (put TLS in front of it)");
        return uri;
    }

    private void Listen(KestrelServerOptions kestrel, string url, string key, Func<ConnectionDelegate, ConnectionDelegate> admit, List<ListenOptions>? remember)
    {
        var uri = Parse(url, key, remember is not null);
        _configured.Add((uri, key));

        void Configure(ListenOptions listen)
        {
            // First, so that a refused connection costs no TLS handshake.
            listen.Use(admit);
            if (uri.Scheme == Uri.UriSchemeHttps)
                listen.UseHttps();
            remember?.Add(listen);
        }

        var host = uri.Host.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            kestrel.ListenLocalhost(uri.Port, Configure);
        else if (IPAddress.TryParse(host, out var address))
            kestrel.Listen(address, uri.Port, Configure);
        else
            kestrel.ListenAnyIP(uri.Port, Configure); // as Kestrel does with a host name in --urls
    }

    private static string Format(IPEndPoint endPoint) =>
        endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any)
            ? $"127.0.0.1:{endPoint.Port}"
            : endPoint.ToString();
}
