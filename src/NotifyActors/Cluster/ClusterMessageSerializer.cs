using System.Runtime.Serialization;
using Akka.Actor;
using NotifyActors.Runtime;
using NotifyActors.Channels;
using NotifyActors.Protocol;

namespace NotifyActors.Cluster;

/// <summary>
/// The wire format of every <see cref="IClusterMessage"/> (bound in hocon/notify.hocon): binary, length-prefixed,
/// one manifest per type. A publication's data crosses as the bytes it was published as, never re-encoded.
/// Each payload starts with a format version, so that nodes of two versions of the service in one cluster (a rolling
/// upgrade) refuse what they cannot read instead of misreading it.
/// </summary>
public sealed class ClusterMessageSerializer(ExtendedActorSystem system) : VersionedBinarySerializer(system, Version, "cluster message")
{
    // 2: Appended carries the time its owner sent it.
    private const byte Version = 2;

    /// <summary>Unique among the serializers of one actor system; Akka reserves 0-40, <see cref="ChannelEventSerializer"/> has 7301.</summary>
    public override int Identifier => 7302;

    public override string Manifest(object o) => o switch
    {
        Publish => "pub",
        PublishAck => "pub-ack",
        PublishFailed => "pub-failed",
        HistoryQuery => "history",
        HistoryResult => "history-result",
        RegisterHub => "register",
        HubRegistered => "registered",
        Appended => "appended",
        SubscriberPosition => "position",
        SubscriberPositioned => "positioned",
        PresenceQuery => "presence",
        PresenceResult => "presence-result",
        HubPresence => "hub-presence",
        HubMembers => "hub-members",
        MembershipChanged => "membership",
        _ => throw new ArgumentException($"{nameof(ClusterMessageSerializer)} cannot serialize {o.GetType()}"),
    };

    protected override object Read(BinaryReader reader, string manifest) =>
        manifest switch
        {
            "pub" => new Publish(reader.ReadString(), ReadBytes(reader), reader.ReadInt64()),
            "pub-ack" => new PublishAck(reader.ReadString(), reader.ReadInt64(), reader.ReadString(), reader.ReadInt64()),
            "pub-failed" => new PublishFailed(reader.ReadString(), reader.ReadString(), reader.ReadInt64()),
            "history" => new HistoryQuery(reader.ReadString(), reader.ReadInt64(), ReadOptionalInt(reader), ReadPosition(reader)),
            "history-result" => new HistoryResult(reader.ReadString(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadString(), ReadOptionalPublications(reader)),
            "register" => new RegisterHub(reader.ReadString(), ReadPosition(reader), reader.ReadInt64()),
            "registered" => new HubRegistered(reader.ReadString(), reader.ReadInt64(), reader.ReadString(), reader.ReadInt64(), reader.ReadInt32(), ReadOptionalPublications(reader)),
            "appended" => ReadAppended(reader),
            "position" => new SubscriberPosition(reader.ReadString(), reader.ReadInt64(), ReadPosition(reader)),
            "positioned" => new SubscriberPositioned(reader.ReadString(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadString(), ReadOptionalBool(reader), ReadPublications(reader)),
            "presence" => new PresenceQuery(reader.ReadString(), reader.ReadInt64()),
            "presence-result" => new PresenceResult(reader.ReadString(), reader.ReadInt64(), ReadMembers(reader)),
            "hub-presence" => new HubPresence(reader.ReadString(), reader.ReadInt64()),
            "hub-members" => new HubMembers(reader.ReadString(), reader.ReadInt64(), ReadMembers(reader)),
            "membership" => new MembershipChanged(reader.ReadString(), reader.ReadBoolean(), new ChannelMember(reader.ReadString(), reader.ReadString())),
            _ => throw new SerializationException($"unknown cluster message manifest '{manifest}'"),
        };

    protected override void Write(BinaryWriter writer, object obj)
    {
        switch (obj)
        {
            case Publish publish:
                writer.Write(publish.Channel);
                WriteBytes(writer, publish.Data);
                writer.Write(publish.RequestId);
                break;
            case PublishAck ack:
                writer.Write(ack.Channel);
                writer.Write(ack.Offset);
                writer.Write(ack.Epoch);
                writer.Write(ack.RequestId);
                break;
            case PublishFailed failed:
                writer.Write(failed.Channel);
                writer.Write(failed.Reason);
                writer.Write(failed.RequestId);
                break;
            case HistoryQuery query:
                writer.Write(query.Channel);
                writer.Write(query.RequestId);
                WriteOptionalInt(writer, query.Limit);
                WritePosition(writer, query.Since);
                break;
            case HistoryResult result:
                writer.Write(result.Channel);
                writer.Write(result.RequestId);
                writer.Write(result.Offset);
                writer.Write(result.Epoch);
                WriteOptionalPublications(writer, result.Publications);
                break;
            case RegisterHub register:
                writer.Write(register.Channel);
                WritePosition(writer, register.Delivered);
                writer.Write(register.Round);
                break;
            case HubRegistered registered:
                writer.Write(registered.Channel);
                writer.Write(registered.Round);
                writer.Write(registered.Epoch);
                writer.Write(registered.Offset);
                writer.Write(registered.HistoryCount);
                WriteOptionalPublications(writer, registered.Undelivered);
                break;
            case Appended appended:
                writer.Write(appended.Channel);
                writer.Write(appended.Epoch);
                writer.Write(appended.FirstOffset);
                writer.Write(appended.HistoryCount);
                writer.Write(appended.SentAt);
                writer.Write(appended.Data.Count);
                foreach (var data in appended.Data)
                    WriteBytes(writer, data);
                break;
            case SubscriberPosition position:
                writer.Write(position.Channel);
                writer.Write(position.Id);
                WritePosition(writer, position.Recover);
                break;
            case SubscriberPositioned positioned:
                writer.Write(positioned.Channel);
                writer.Write(positioned.Id);
                writer.Write(positioned.Offset);
                writer.Write(positioned.Epoch);
                WriteOptionalBool(writer, positioned.Recovered);
                WritePublications(writer, positioned.Missed);
                break;
            case PresenceQuery query:
                writer.Write(query.Channel);
                writer.Write(query.RequestId);
                break;
            case PresenceResult result:
                writer.Write(result.Channel);
                writer.Write(result.RequestId);
                WriteMembers(writer, result.Members);
                break;
            case HubPresence presence:
                writer.Write(presence.Channel);
                writer.Write(presence.QueryId);
                break;
            case HubMembers members:
                writer.Write(members.Channel);
                writer.Write(members.QueryId);
                WriteMembers(writer, members.Members);
                break;
            case MembershipChanged changed:
                writer.Write(changed.Channel);
                writer.Write(changed.Joined);
                writer.Write(changed.Member.Client);
                writer.Write(changed.Member.User);
                break;
            default:
                throw new ArgumentException($"{nameof(ClusterMessageSerializer)} cannot serialize {obj.GetType()}");
        }
    }

    private static void WriteMembers(BinaryWriter writer, IReadOnlyList<ChannelMember> members)
    {
        writer.Write(members.Count);
        foreach (var member in members)
        {
            writer.Write(member.Client);
            writer.Write(member.User);
        }
    }

    private static IReadOnlyList<ChannelMember> ReadMembers(BinaryReader reader)
    {
        var members = new ChannelMember[ReadCount(reader)];
        for (var i = 0; i < members.Length; i++)
            members[i] = new ChannelMember(reader.ReadString(), reader.ReadString());
        return members;
    }

    private static Appended ReadAppended(BinaryReader reader)
    {
        var channel = reader.ReadString();
        var epoch = reader.ReadString();
        var first = reader.ReadInt64();
        var historyCount = reader.ReadInt32();
        var sentAt = reader.ReadInt64();
        var data = new byte[ReadCount(reader)][];
        for (var i = 0; i < data.Length; i++)
            data[i] = ReadBytes(reader);
        return new Appended(channel, epoch, first, data, historyCount, sentAt);
    }

    private static void WriteBytes(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader reader)
    {
        var length = ReadCount(reader);
        var bytes = reader.ReadBytes(length);
        return bytes.Length == length ? bytes : throw new SerializationException("a cluster message ends inside its data");
    }

    private static int ReadCount(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        return count >= 0 ? count : throw new SerializationException($"a negative length ({count}) in a cluster message");
    }

    private static void WriteOptionalInt(BinaryWriter writer, int? value)
    {
        writer.Write(value.HasValue);
        if (value is { } v)
            writer.Write(v);
    }

    private static int? ReadOptionalInt(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadInt32() : null;

    private static void WriteOptionalBool(BinaryWriter writer, bool? value) => writer.Write(value switch { null => (byte)0, false => (byte)1, true => (byte)2 });

    private static bool? ReadOptionalBool(BinaryReader reader) => reader.ReadByte() switch
    {
        0 => null,
        1 => false,
        2 => true,
        var other => throw new SerializationException($"{other} is not an optional boolean"),
    };

    private static void WritePosition(BinaryWriter writer, RecoveryPosition? position)
    {
        writer.Write(position is not null);
        if (position is null)
            return;
        writer.Write(position.Offset);
        writer.Write(position.Epoch);
    }

    private static RecoveryPosition? ReadPosition(BinaryReader reader) =>
        reader.ReadBoolean() ? new RecoveryPosition(reader.ReadInt64(), reader.ReadString()) : null;

    private static void WritePublications(BinaryWriter writer, IReadOnlyList<HistoricPublication> publications)
    {
        writer.Write(publications.Count);
        foreach (var publication in publications)
        {
            writer.Write(publication.Offset);
            WriteBytes(writer, publication.Data);
            writer.Write(publication.At.Ticks);
        }
    }

    private static IReadOnlyList<HistoricPublication> ReadPublications(BinaryReader reader)
    {
        var publications = new HistoricPublication[ReadCount(reader)];
        for (var i = 0; i < publications.Length; i++)
            publications[i] = new HistoricPublication(reader.ReadInt64(), ReadBytes(reader), new DateTime(reader.ReadInt64(), DateTimeKind.Utc));
        return publications;
    }

    private static void WriteOptionalPublications(BinaryWriter writer, IReadOnlyList<HistoricPublication>? publications)
    {
        writer.Write(publications is not null);
        if (publications is not null)
            WritePublications(writer, publications);
    }

    private static IReadOnlyList<HistoricPublication>? ReadOptionalPublications(BinaryReader reader) =>
        reader.ReadBoolean() ? ReadPublications(reader) : null;
}
