using Akka.Configuration;
using NotifyActors.Configuration;
using Xunit;

namespace NotifyActors.Tests.Configuration;

public sealed class NotifySettingsSpecs
{
    [Fact]
    public void The_shipped_defaults_match_the_documented_ones()
    {
        var settings = NotifySettings.Create(NotifyConfig.Defaults);

        Assert.Equal(ServiceProfile.Development, settings.Profile);
        Assert.Equal(["http://127.0.0.1:5080"], settings.Urls);
        Assert.Equal(TimeSpan.FromSeconds(25), settings.Heartbeat.Interval);
        Assert.Equal(TimeSpan.FromSeconds(35), settings.Heartbeat.Deadline);
        Assert.Equal(1024, settings.Outbound.MaxFrames);
        Assert.Equal(1024 * 1024, settings.Outbound.MaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Outbound.WriteTimeout);
        Assert.Equal(65536, settings.Limits.MaxFrameBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Drain);
        Assert.True(settings.AllowAnonymous);
        Assert.NotNull(settings.NamespaceOf("news"));
        Assert.Null(settings.NamespaceOf("nope:news"));
    }

    [Theory]
    [InlineData("notify.heartbeat.interval = soon", "notify.heartbeat.interval")]
    [InlineData("notify.heartbeat.timeout = 0s", "notify.heartbeat.timeout")]
    [InlineData("notify.outbound.max-frames = -3", "notify.outbound.max-frames")]
    [InlineData("notify.outbound.max-bytes = lots", "notify.outbound.max-bytes")]
    [InlineData("notify.limits.max-frame-bytes = 4GiB", "notify.limits.max-frame-bytes")]
    [InlineData("notify.profile = staging", "notify.profile")]
    [InlineData("notify.auth.allow-anonymous = maybe", "notify.auth.allow-anonymous")]
    [InlineData("notify.namespaces.chat { presence = maybe }", "notify.namespaces.chat.presence")]
    [InlineData("notify.namespaces.chat { history-size = -1 }", "notify.namespaces.chat.history-size")]
    public void A_bad_value_names_its_key(string hocon, string key)
    {
        var config = ConfigurationFactory.ParseString(hocon).WithFallback(NotifyConfig.Defaults);

        var error = Assert.Throws<SettingsException>(() => NotifySettings.Create(config));

        Assert.Equal(key, error.Key);
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Anonymous_connections_default_to_off_in_production()
    {
        var config = ConfigurationFactory.ParseString("notify.profile = production").WithFallback(NotifyConfig.Defaults);

        Assert.False(NotifySettings.Create(config).AllowAnonymous);
    }

    [Fact]
    public void A_named_namespace_takes_what_it_does_not_set_from_the_default_namespace()
    {
        var config = ConfigurationFactory.ParseString("""
            notify.namespaces.default { history-size = 10, allow-anonymous = off }
            notify.namespaces.team { presence = on }
            """).WithFallback(NotifyConfig.Defaults);

        var team = NotifySettings.Create(config).NamespaceOf("team:room")!;

        Assert.True(team.Presence);
        Assert.Equal(10, team.HistorySize);
        Assert.False(team.AllowAnonymous);
        Assert.Equal(TimeSpan.FromMinutes(5), team.HistoryTtl);
    }

    [Fact]
    public void The_shipped_chat_namespace_keeps_history_and_a_configured_block_changes_only_what_it_sets()
    {
        var shipped = NotifySettings.Create(NotifyConfig.Defaults).NamespaceOf("chat:room")!;
        var config = ConfigurationFactory.ParseString("notify.namespaces.chat { history-size = 5 }").WithFallback(NotifyConfig.Defaults);

        var changed = NotifySettings.Create(config).NamespaceOf("chat:room")!;

        Assert.Equal((100, TimeSpan.FromMinutes(10), true), (shipped.HistorySize, shipped.HistoryTtl, shipped.AllowClientPublish));
        Assert.Equal(shipped with { HistorySize = 5 }, changed);
    }

    [Fact]
    public void Configured_namespaces_are_known()
    {
        var config = ConfigurationFactory.ParseString("""
            notify.namespaces.chat { allow-client-publish = on, allow-anonymous = off, allow-user-limited = on }
            """).WithFallback(NotifyConfig.Defaults);

        var settings = NotifySettings.Create(config);

        Assert.True(settings.NamespaceOf("chat:room")!.AllowClientPublish);
        Assert.NotNull(settings.NamespaceOf("plain"));
    }
}
