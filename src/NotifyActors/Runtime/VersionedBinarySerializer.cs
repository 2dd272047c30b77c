using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace NotifyActors.Runtime;

/// <summary>
/// A binary serializer whose every payload starts with its format version, so that a node of another version of the
/// service (a rolling upgrade) refuses what it cannot read instead of misreading it. Subclasses write and read the rest.
/// </summary>
/// <param name="format">What the payloads are, for the refusal's message ("cluster message", "node message").</param>
public abstract class VersionedBinarySerializer(ExtendedActorSystem system, byte version, string format) : SerializerWithStringManifest(system)
{
    public sealed override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(version);
            Write(writer, obj);
        }
        return stream.ToArray();
    }

    public sealed override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
        var found = reader.ReadByte();
        if (found != version)
            throw new SerializationException($"{format} format {found} is not known to this version of the service");
        return Read(reader, manifest);
    }

    /// <summary>Writes <paramref name="obj"/> after the version.</summary>
    protected abstract void Write(BinaryWriter writer, object obj);

    /// <summary>Reads the payload of <paramref name="manifest"/> after the version.</summary>
    protected abstract object Read(BinaryReader reader, string manifest);
}
