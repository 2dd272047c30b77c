using Akka.Configuration;
using NotifyActors.Configuration;
using Xunit;

namespace NotifyActors.Tests.Configuration;

public sealed class ClusterSettingsSpecs
{
    [Fact]
    public void The_shipped_defaults_make_a_cluster_of_one_on_loopback_with_a_free_port()
    {
        var cluster = ReadShipped();

        Assert.Equal(("127.0.0.1", 0, 100), (cluster.Host, cluster.Port, cluster.Shards));
        Assert.Empty(cluster.Seeds);
    }

    [Fact]
    public void Seeds_given_as_one_comma_separated_string_become_akka_addresses()
    {
        var cluster = Read("""notify.cluster.seeds = "10.0.0.1:4053, node-b.internal:4053" """);

        Assert.Equal(["akka.tcp://notify@10.0.0.1:4053", "akka.tcp://notify@node-b.internal:4053"], cluster.SeedAddresses("notify"));
    }

    [Theory]
    [InlineData("""notify.cluster.seeds = ["node-a"]""", "notify.cluster.seeds")]
    [InlineData("""notify.cluster.seeds = ["node-a:0"]""", "notify.cluster.seeds")]
    [InlineData("""notify.cluster.seeds = ["node-a:99999"]""", "notify.cluster.seeds")]
    [InlineData("notify.cluster.port = 70000", "notify.cluster.port")]
    [InlineData("""notify.cluster.host = " " """, "notify.cluster.host")]
    [InlineData("notify.cluster.shards = 0", "notify.cluster.shards")]
    public void A_bad_value_names_its_key(string hocon, string key)
    {
        var error = Assert.Throws<SettingsException>(() => Read(hocon));

        Assert.Equal(key, error.Key);
    }

    [Fact]
    public void A_cluster_on_sqlite_is_refused_for_each_node_would_keep_its_own_history()
    {
        var error = Assert.Throws<SettingsException>(() => Read("""notify.cluster.seeds = ["127.0.0.1:4053"]""", store: "sqlite"));

        Assert.Equal("notify.persistence.store", error.Key);
        Assert.Contains("postgres", error.Message);
    }

    private static ClusterSettings Read(string hocon, string store = "memory") =>
        NotifySettings.Create(ConfigurationFactory.ParseString($"notify.persistence.store = {store}\n{hocon}").WithFallback(NotifyConfig.Defaults)).Cluster;

    private static ClusterSettings ReadShipped() => NotifySettings.Create(NotifyConfig.Defaults).Cluster;
}
