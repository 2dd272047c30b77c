using System.Runtime.Serialization;
using Akka.Actor;
using NotifyActors.Runtime;

namespace NotifyActors.Channels;

/// <summary>
/// The journal format of a channel's events and snapshots (bound in hocon/notify.hocon). Binary and
/// length-prefixed: a publication's data is stored as the bytes it was published as, never re-encoded.
/// Each payload starts with a format version, so a later format can still read what this one wrote.
/// </summary>
public sealed class ChannelEventSerializer(ExtendedActorSystem system) : VersionedBinarySerializer(system, Version, "channel event")
{
    private const byte Version = 1;
    private const string EpochManifest = "epoch";
    private const string AppendedManifest = "appended";
    private const string SnapshotManifest = "snapshot";

    /// <summary>Unique among the serializers of one actor system; Akka reserves 0-40.</summary>
    public override int Identifier => 7301;

    public override string Manifest(object o) => o switch
    {
        EpochStarted => EpochManifest,
        PublicationsAppended => AppendedManifest,
        ChannelSnapshot => SnapshotManifest,
        _ => throw new ArgumentException($"{nameof(ChannelEventSerializer)} cannot serialize {o.GetType()}"),
    };

    protected override void Write(BinaryWriter writer, object obj)
    {
        switch (obj)
        {
            case EpochStarted started:
                writer.Write(started.Epoch);
                break;
            case PublicationsAppended appended:
                writer.Write(appended.FirstOffset);
                writer.Write(appended.Publications.Count);
                foreach (var publication in appended.Publications)
                    WritePublication(writer, publication.Data, publication.At);
                break;
            case ChannelSnapshot snapshot:
                writer.Write(snapshot.Epoch);
                writer.Write(snapshot.Offset);
                writer.Write(snapshot.History.Count);
                foreach (var kept in snapshot.History)
                {
                    writer.Write(kept.Offset);
                    WritePublication(writer, kept.Data, kept.At);
                }
                break;
            default:
                throw new ArgumentException($"{nameof(ChannelEventSerializer)} cannot serialize {obj.GetType()}");
        }
    }

    protected override object Read(BinaryReader reader, string manifest)
    {
        switch (manifest)
        {
            case EpochManifest:
                return new EpochStarted(reader.ReadString());
            case AppendedManifest:
            {
                var first = reader.ReadInt64();
                var publications = new StoredPublication[reader.ReadInt32()];
                for (var i = 0; i < publications.Length; i++)
                {
                    var (data, at) = ReadPublication(reader);
                    publications[i] = new StoredPublication(data, at);
                }
                return new PublicationsAppended(first, publications);
            }
            case SnapshotManifest:
            {
                var epoch = reader.ReadString();
                var offset = reader.ReadInt64();
                var history = new HistoricPublication[reader.ReadInt32()];
                for (var i = 0; i < history.Length; i++)
                {
                    var keptOffset = reader.ReadInt64();
                    var (data, at) = ReadPublication(reader);
                    history[i] = new HistoricPublication(keptOffset, data, at);
                }
                return new ChannelSnapshot(epoch, offset, history);
            }
            default:
                throw new SerializationException($"unknown channel event manifest '{manifest}'");
        }
    }

    private static void WritePublication(BinaryWriter writer, byte[] data, DateTime at)
    {
        writer.Write(at.ToUniversalTime().Ticks);
        writer.Write(data.Length);
        writer.Write(data);
    }

    private static (byte[] Data, DateTime At) ReadPublication(BinaryReader reader)
    {
        var at = new DateTime(reader.ReadInt64(), DateTimeKind.Utc);
        var length = reader.ReadInt32();
        var data = reader.ReadBytes(length);
        if (data.Length != length)
            throw new SerializationException("a stored publication ends early");
        return (data, at);
    }
}
