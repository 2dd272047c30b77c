using System.Buffers;
using System.Text.Json;

namespace NotifyActors.Protocol;

/// <summary>
/// Encodes every frame the server sends (PROTOCOL.md section 1). A publication is encoded once
/// per channel and the same bytes go to every subscriber.
/// </summary>
public static class ServerFrames
{
    /// <summary>The ping frame never changes, so every connection shares these bytes.</summary>
    public static readonly byte[] Ping = "{\"type\":\"ping\"}"u8.ToArray();

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static byte[] Welcome(string client, string user, int pingSeconds) => Write(w =>
    {
        w.WriteString("type", "welcome");
        w.WriteString("client", client);
        w.WriteString("user", user);
        w.WriteNumber("ping", pingSeconds);
        w.WriteNumber("protocol", 1);
    });

    public static byte[] Publication(string channel, long offset, ReadOnlySpan<byte> data)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + channel.Length + data.Length);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("type", "pub");
            w.WriteString("channel", channel);
            w.WriteNumber("offset", offset);
            w.WritePropertyName("data");
            w.WriteRawValue(data, skipInputValidation: true);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Subscribed(long? id, string channel, long offset, string epoch, bool? recovered) => Write(w =>
    {
        w.WriteString("type", "subscribed");
        WriteId(w, id);
        w.WriteString("channel", channel);
        w.WriteNumber("offset", offset);
        w.WriteString("epoch", epoch);
        if (recovered is { } value)
        {
            w.WriteBoolean("recovered", value);
            w.WriteStartArray("publications");
            w.WriteEndArray();
        }
    });

    /// <summary>The reply to unsubscribe (with its id), or a server-side unsubscribe push (with a reason).</summary>
    public static byte[] Unsubscribed(long? id, string channel, string? reason = null) => Write(w =>
    {
        w.WriteString("type", "unsubscribed");
        WriteId(w, id);
        w.WriteString("channel", channel);
        if (reason is not null)
            w.WriteString("reason", reason);
    });

    public static byte[] Published(long? id, string channel, long offset, string epoch) => Write(w =>
    {
        w.WriteString("type", "published");
        WriteId(w, id);
        w.WriteString("channel", channel);
        w.WriteNumber("offset", offset);
        w.WriteString("epoch", epoch);
    });

    public static byte[] Error(long? id, ProtocolError error) => Write(w =>
    {
        w.WriteString("type", "error");
        WriteId(w, id);
        w.WriteString("code", error.Code);
        w.WriteString("message", error.Message);
    });

    private static void WriteId(Utf8JsonWriter w, long? id)
    {
        if (id is { } value)
            w.WriteNumber("id", value);
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
