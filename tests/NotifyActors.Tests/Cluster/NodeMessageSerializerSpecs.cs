using System.Text.Json;
using Akka.Configuration;
using NotifyActors.Cluster;
using NotifyActors.Configuration;
using NotifyActors.Connections;
using Xunit;

namespace NotifyActors.Tests.Cluster;

/// <summary>
/// What one node asks another's agent for a cluster-wide answer (stats, channels, a disconnect) is written by
/// <see cref="NodeMessageSerializer"/> and comes back equal, through the actor system's own serialization.
/// </summary>
public sealed class NodeMessageSerializerSpecs : Akka.TestKit.Xunit2.TestKit
{
    public NodeMessageSerializerSpecs() : base(ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(NotifyConfig.Defaults))
    {
    }

    public static TheoryData<string, object> Messages => new()
    {
        { "stats query", NodeStatsQuery.Instance },
        { "stats", new NodeStats(19000, 19001, 12, 3, 40, 1_000_000, 9_000_000_000, 7, 2, 5, 1, null, 1L << 33, 3600.125) },
        { "stats with a leak", new NodeStats(1, 900, 1, 0, 0, 0, 0, 0, 0, 0, 0, "900 subscriber actors for 1 connection", 1024, 0.5) },
        { "channels query", new NodeChannelsQuery("chat:") },
        { "channels query, all", new NodeChannelsQuery("") },
        { "channels", new NodeChannels([new ChannelCount("chat:lobby", 3), new ChannelCount("news", 1)]) },
        { "channels, none", new NodeChannels([]) },
        { "disconnect a user", new ConnectionsSupervisor.DisconnectClients("alice", null) },
        { "disconnect a client", new ConnectionsSupervisor.DisconnectClients(null, "c-1") },
        { "disconnect a user's client", new ConnectionsSupervisor.DisconnectClients("alice", "c-1") },
        { "disconnected", new ConnectionsSupervisor.ClientsDisconnected(4) },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_node_message_round_trips_through_the_node_serializer(string what, object message)
    {
        var serialization = Sys.Serialization;
        var serializer = Assert.IsType<NodeMessageSerializer>(serialization.FindSerializerFor(message));

        var back = serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, serializer.Manifest(message));

        Assert.Equal(message.GetType(), back.GetType());
        Assert.True(Describe(message) == Describe(back), $"{what}: {Describe(back)}");
    }

    [Fact]
    public void A_payload_of_an_unknown_format_version_is_refused_not_misread()
    {
        var serializer = (NodeMessageSerializer)Sys.Serialization.FindSerializerFor(NodeStatsQuery.Instance);
        var bytes = serializer.ToBinary(new NodeChannelsQuery("a"));
        bytes[0] = 2;

        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, "channels"));
    }

    /// <summary>Records holding lists compare by reference; their JSON compares by content.</summary>
    private static string Describe(object message) => JsonSerializer.Serialize(message, message.GetType());
}
