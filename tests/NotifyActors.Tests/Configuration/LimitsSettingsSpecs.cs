using Akka.Configuration;
using NotifyActors.Configuration;
using Xunit;

namespace NotifyActors.Tests.Configuration;

public sealed class LimitsSettingsSpecs
{
    [Fact]
    public void The_shipped_limits_match_the_documented_defaults()
    {
        var limits = NotifySettings.Create(NotifyConfig.Defaults).Limits;

        Assert.Equal(65536, limits.MaxFrameBytes);
        Assert.Equal(65536, limits.MaxPublishBytes);
        Assert.Equal(128, limits.MaxChannelsPerConnection);
        Assert.Equal(100, limits.MaxConnectionsPerUser);
        Assert.True(limits.LimitsConnectionsPerUser);
        Assert.Equal(19000, limits.MaxConnections);
        Assert.Equal(100.0, limits.CommandRate);
        Assert.Equal(500, limits.CommandBurst);
        Assert.Equal(100, limits.MaxRejectedCommands);
        Assert.Equal(1000, limits.MaxBroadcastChannels);
    }

    [Fact]
    public void The_default_burst_lets_a_client_resubscribe_every_channel_it_may_hold_at_once()
    {
        var limits = NotifySettings.Create(NotifyConfig.Defaults).Limits;

        Assert.True(limits.CommandBurst > limits.MaxChannelsPerConnection);
    }

    [Fact]
    public void Every_limit_can_be_set_and_the_smallest_values_are_accepted()
    {
        var limits = Read("""
            notify.limits {
              max-channels-per-connection = 1
              max-connections-per-user = 1
              max-connections = 1
              command-rate = 0.5
              command-burst = 1
              max-rejected-commands = 1
              max-broadcast-channels = 1
            }
            """);

        Assert.Equal(new LimitsSettings(65536, 65536, 1, 1, 1, 0.5, 1, 1, 1), limits);
    }

    [Fact]
    public void Zero_connections_per_user_means_no_limit()
    {
        var limits = Read("notify.limits.max-connections-per-user = 0");

        Assert.Equal(0, limits.MaxConnectionsPerUser);
        Assert.False(limits.LimitsConnectionsPerUser);
    }

    [Theory]
    [InlineData("notify.limits.max-channels-per-connection = 0", "notify.limits.max-channels-per-connection")]
    [InlineData("notify.limits.max-channels-per-connection = many", "notify.limits.max-channels-per-connection")]
    [InlineData("notify.limits.max-connections-per-user = -1", "notify.limits.max-connections-per-user")]
    [InlineData("notify.limits.max-connections-per-user = lots", "notify.limits.max-connections-per-user")]
    [InlineData("notify.limits.max-connections = 0", "notify.limits.max-connections")]
    [InlineData("notify.limits.max-connections = -19000", "notify.limits.max-connections")]
    [InlineData("notify.limits.command-rate = 0", "notify.limits.command-rate")]
    [InlineData("notify.limits.command-rate = -5", "notify.limits.command-rate")]
    [InlineData("notify.limits.command-rate = fast", "notify.limits.command-rate")]
    [InlineData("notify.limits.command-burst = 0", "notify.limits.command-burst")]
    [InlineData("notify.limits.command-burst = 1.5", "notify.limits.command-burst")]
    [InlineData("notify.limits.max-rejected-commands = 0", "notify.limits.max-rejected-commands")]
    [InlineData("notify.limits.max-broadcast-channels = 0", "notify.limits.max-broadcast-channels")]
    [InlineData("notify.limits.max-broadcast-channels = all", "notify.limits.max-broadcast-channels")]
    public void A_bad_limit_names_its_key(string hocon, string key)
    {
        var config = ConfigurationFactory.ParseString(hocon).WithFallback(NotifyConfig.Defaults);

        var error = Assert.Throws<SettingsException>(() => NotifySettings.Create(config));

        Assert.Equal(key, error.Key);
        Assert.Contains(key, error.Message);
    }

    private static LimitsSettings Read(string hocon) =>
        NotifySettings.Create(ConfigurationFactory.ParseString(hocon).WithFallback(NotifyConfig.Defaults)).Limits;
}
