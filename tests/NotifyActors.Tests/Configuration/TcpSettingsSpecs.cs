using Akka.Configuration;
using NotifyActors.Configuration;
using Xunit;

namespace NotifyActors.Tests.Configuration;

public sealed class TcpSettingsSpecs
{
    [Fact]
    public void The_shipped_tcp_settings_match_the_documented_defaults()
    {
        var tcp = Read("");

        Assert.Equal(new TcpSettings(null, 320, 256, TimeSpan.FromSeconds(5), 32), tcp);
    }

    [Fact]
    public void Auto_gives_the_public_listeners_what_the_open_file_limit_leaves_beyond_what_is_open_and_the_reserve()
    {
        var tcp = Read("");

        Assert.Equal(20_000 - 220 - 320, tcp.PublicConnectionsWithin(20_000, inUse: 220));
        Assert.Equal(1, tcp.PublicConnectionsWithin(541, inUse: 220));
        // Where no limit is known (Windows), there is none.
        Assert.Null(tcp.PublicConnectionsWithin(null, inUse: 0));
    }

    [Fact]
    public void A_configured_number_is_kept_when_it_fits_and_refused_when_it_does_not()
    {
        var tcp = Read("notify.tcp.max-connections = 500");

        Assert.Equal(500, tcp.PublicConnectionsWithin(1024, inUse: 200));
        Assert.Equal(500, tcp.PublicConnectionsWithin(null, inUse: 0));
        var error = Assert.Throws<SettingsException>(() => tcp.PublicConnectionsWithin(1024, inUse: 300));
        Assert.Equal("notify.tcp.max-connections", error.Key);
        Assert.Contains("at most 404", error.Message);
    }

    [Fact]
    public void An_open_file_limit_that_leaves_nothing_beyond_the_reserve_stops_start_up()
    {
        var error = Assert.Throws<SettingsException>(() => Read("").PublicConnectionsWithin(400, inUse: 200));

        Assert.Equal("notify.tcp.descriptor-reserve", error.Key);
        Assert.Contains("400", error.Message);
    }

    [Theory]
    [InlineData("notify.tcp.max-connections = 0", "notify.tcp.max-connections")]
    [InlineData("notify.tcp.max-connections = lots", "notify.tcp.max-connections")]
    [InlineData("notify.tcp.descriptor-reserve = 0", "notify.tcp.descriptor-reserve")]
    [InlineData("notify.tcp.max-pending-per-address = -1", "notify.tcp.max-pending-per-address")]
    [InlineData("notify.tcp.request-headers-timeout = 0s", "notify.tcp.request-headers-timeout")]
    [InlineData("notify.tcp.max-admin-connections = 0", "notify.tcp.max-admin-connections")]
    [InlineData("notify.tcp { descriptor-reserve = 32, max-admin-connections = 32 }", "notify.tcp.max-admin-connections")]
    public void A_bad_value_names_its_key(string hocon, string key)
    {
        var error = Assert.Throws<SettingsException>(() => Read(hocon));

        Assert.Equal(key, error.Key);
    }

    [Fact]
    public void Zero_pending_per_address_means_no_limit()
    {
        Assert.Equal(0, Read("notify.tcp.max-pending-per-address = 0").MaxPendingPerAddress);
    }

    private static TcpSettings Read(string hocon) =>
        NotifySettings.Create(ConfigurationFactory.ParseString(hocon).WithFallback(NotifyConfig.Defaults)).Tcp;
}
