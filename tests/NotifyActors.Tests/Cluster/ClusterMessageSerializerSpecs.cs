using Akka.Configuration;
using System.Text;
using System.Text.Json;
using NotifyActors.Channels;
using NotifyActors.Cluster;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using Xunit;

namespace NotifyActors.Tests.Cluster;

/// <summary>
/// Every message that crosses nodes is written by <see cref="ClusterMessageSerializer"/> (not Akka's default JSON) and
/// comes back equal, through the actor system's own serialization as remoting uses it.
/// </summary>
public sealed class ClusterMessageSerializerSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTime At = new(2026, 12, 1, 10, 30, 0, DateTimeKind.Utc);
    private static readonly HistoricPublication[] Kept =
    [
        new(41, Encoding.UTF8.GetBytes("{\"n\":41}"), At),
        new(42, Encoding.UTF8.GetBytes("\"é\\u0000\""), At.AddSeconds(1)),
    ];

    // Serialization needs no cluster: a local actor system with the service's bindings starts and stops at once.
    public ClusterMessageSerializerSpecs() : base(ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(NotifyConfig.Defaults))
    {
    }

    public static TheoryData<string, object> Messages => new()
    {
        { "publish", new Publish("chat:lobby", Encoding.UTF8.GetBytes("{\"text\":\"hi\"}")) },
        { "publish of empty data", new Publish("a", []) },
        { "publish with a request id", new Publish("chat:lobby", Encoding.UTF8.GetBytes("1"), 12) },
        { "publish ack", new PublishAck("chat:lobby", 7, "ab12cd34") },
        { "publish ack with a request id", new PublishAck("chat:lobby", 7, "ab12cd34", 12) },
        { "publish failed", new PublishFailed("chat:lobby", "the publication may not have been stored: disk full", 12) },
        { "history query, newest", new HistoryQuery("chat:lobby", 3, 10, null) },
        { "history query, since", new HistoryQuery("chat:lobby", 4, null, new RecoveryPosition(40, "ab12cd34")) },
        { "history result", new HistoryResult("chat:lobby", 4, 42, "ab12cd34", Kept) },
        { "history result, position lost", new HistoryResult("chat:lobby", 5, 42, "ab12cd34", null) },
        { "register, new hub", new RegisterHub("news", null, 1) },
        { "register, repair", new RegisterHub("news", new RecoveryPosition(40, "ab12cd34"), 9) },
        { "registered", new HubRegistered("news", 9, "ab12cd34", 42, 2, Kept) },
        { "registered, nothing to repair", new HubRegistered("news", 1, "ab12cd34", 0, 0, null) },
        { "appended", new Appended("news", "ab12cd34", 41, [Encoding.UTF8.GetBytes("1"), Encoding.UTF8.GetBytes("[2]")], 2, At.Ticks) },
        { "position", new SubscriberPosition("news", 12, new RecoveryPosition(3, "ab12cd34")) },
        { "position without recovery", new SubscriberPosition("news", 13, null) },
        { "positioned, recovered", new SubscriberPositioned("news", 12, 42, "ab12cd34", true, Kept) },
        { "positioned, not recovered", new SubscriberPositioned("news", 13, 42, "ab12cd34", false, []) },
        { "positioned, no recovery asked", new SubscriberPositioned("news", 14, 42, "ab12cd34", null, []) },
        { "presence query", new PresenceQuery("chat:lobby", 8) },
        { "presence result", new PresenceResult("chat:lobby", 8, [new ChannelMember("c-1", "alice"), new ChannelMember("c-2", "")]) },
        { "hub presence", new HubPresence("chat:lobby", 3) },
        { "hub members", new HubMembers("chat:lobby", 3, [new ChannelMember("c-1", "alice")]) },
        { "hub members, none", new HubMembers("chat:lobby", 4, []) },
        { "membership, join", new MembershipChanged("chat:lobby", true, new ChannelMember("c-1", "alice")) },
        { "membership, anonymous leave", new MembershipChanged("chat:lobby", false, new ChannelMember("c-2", "")) },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_cluster_message_round_trips_through_the_notify_serializer(string what, object message)
    {
        var serialization = Sys.Serialization;
        var serializer = Assert.IsType<ClusterMessageSerializer>(serialization.FindSerializerFor(message));

        var bytes = serializer.ToBinary(message);
        var manifest = serializer.Manifest(message);
        var back = serialization.Deserialize(bytes, serializer.Identifier, manifest);

        Assert.Equal(message.GetType(), back.GetType());
        Assert.True(Describe(message) == Describe(back), $"{what}: {Describe(back)}");
    }

    [Fact]
    public void A_payload_of_an_unknown_format_version_is_refused_not_misread()
    {
        var serializer = (ClusterMessageSerializer)Sys.Serialization.FindSerializerFor(new PublishAck("a", 1, "e"));
        var bytes = serializer.ToBinary(new PublishAck("a", 1, "e"));
        bytes[0] = 99;

        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, serializer.Manifest(new PublishAck("a", 1, "e"))));
    }

    /// <summary>Records holding lists compare by reference; their JSON compares by content.</summary>
    private static string Describe(object message) => JsonSerializer.Serialize(message, message.GetType());
}
