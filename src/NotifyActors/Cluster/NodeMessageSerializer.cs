using System.Runtime.Serialization;
using Akka.Actor;
using NotifyActors.Runtime;
using NotifyActors.Connections;

namespace NotifyActors.Cluster;

/// <summary>
/// The wire format of every <see cref="INodeMessage"/> (bound in hocon/notify.hocon): binary, one manifest per type,
/// a format version first, as <see cref="ClusterMessageSerializer"/> writes channel messages.
/// </summary>
public sealed class NodeMessageSerializer(ExtendedActorSystem system) : VersionedBinarySerializer(system, Version, "node message")
{
    private const byte Version = 1;

    /// <summary>Unique among the serializers of one actor system (<see cref="ClusterMessageSerializer"/> has 7302).</summary>
    public override int Identifier => 7303;

    public override string Manifest(object o) => o switch
    {
        NodeStatsQuery => "stats",
        NodeStats => "stats-result",
        NodeChannelsQuery => "channels",
        NodeChannels => "channels-result",
        ConnectionsSupervisor.DisconnectClients => "disconnect",
        ConnectionsSupervisor.ClientsDisconnected => "disconnected",
        _ => throw new ArgumentException($"{nameof(NodeMessageSerializer)} cannot serialize {o.GetType()}"),
    };

    protected override object Read(BinaryReader reader, string manifest) =>
        manifest switch
        {
            "stats" => NodeStatsQuery.Instance,
            "stats-result" => new NodeStats(
                reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(),
                reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(),
                ReadOptionalString(reader), reader.ReadInt64(), reader.ReadDouble()),
            "channels" => new NodeChannelsQuery(reader.ReadString()),
            "channels-result" => ReadChannels(reader),
            "disconnect" => new ConnectionsSupervisor.DisconnectClients(ReadOptionalString(reader), ReadOptionalString(reader)),
            "disconnected" => new ConnectionsSupervisor.ClientsDisconnected(reader.ReadInt32()),
            _ => throw new SerializationException($"unknown node message manifest '{manifest}'"),
        };

    protected override void Write(BinaryWriter writer, object obj)
    {
        switch (obj)
        {
            case NodeStatsQuery:
                break;
            case NodeStats stats:
                foreach (var figure in new[]
                {
                    stats.Connections, stats.SubscriberActors, stats.Channels, stats.ChannelOwners, stats.OutboundQueueDepth, stats.Publications,
                    stats.Deliveries, stats.DeadLetters, stats.SlowConsumerDisconnects, stats.HeartbeatTimeouts, stats.SubscriberFailures,
                })
                    writer.Write(figure);
                WriteOptionalString(writer, stats.LeakReason);
                writer.Write(stats.GcHeapBytes);
                writer.Write(stats.UptimeSeconds);
                break;
            case NodeChannelsQuery query:
                writer.Write(query.Prefix);
                break;
            case NodeChannels channels:
                writer.Write(channels.Channels.Count);
                foreach (var channel in channels.Channels)
                {
                    writer.Write(channel.Channel);
                    writer.Write(channel.Subscribers);
                }
                break;
            case ConnectionsSupervisor.DisconnectClients disconnect:
                WriteOptionalString(writer, disconnect.User);
                WriteOptionalString(writer, disconnect.Client);
                break;
            case ConnectionsSupervisor.ClientsDisconnected disconnected:
                writer.Write(disconnected.Count);
                break;
            default:
                throw new ArgumentException($"{nameof(NodeMessageSerializer)} cannot serialize {obj.GetType()}");
        }
    }

    private static NodeChannels ReadChannels(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0)
            throw new SerializationException($"a negative length ({count}) in a node message");
        var channels = new ChannelCount[count];
        for (var i = 0; i < channels.Length; i++)
            channels[i] = new ChannelCount(reader.ReadString(), reader.ReadInt32());
        return new NodeChannels(channels);
    }

    private static void WriteOptionalString(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
            writer.Write(value);
    }

    private static string? ReadOptionalString(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}
