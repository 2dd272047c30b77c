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
        var w = JsonScratch.Start();
        w.WriteStartObject();
        w.WriteString("type", "pub");
        w.WriteString("channel", channel);
        w.WriteNumber("offset", offset);
        w.WritePropertyName("data");
        w.WriteRawValue(data, skipInputValidation: true);
        w.WriteEndObject();
        return JsonScratch.Finish(w);
    }

    /// <summary>
    /// The subscribe reply. "recovered" and "publications" are always there, as in the contract's
    /// example: without a recovery asked, recovered is false and publications empty (nothing to recover).
    /// </summary>
    public static byte[] Subscribed(long? id, string channel, long offset, string epoch, bool? recovered, IEnumerable<(long Offset, byte[] Data)> publications) => Write(w =>
    {
        w.WriteString("type", "subscribed");
        WriteId(w, id);
        w.WriteString("channel", channel);
        w.WriteNumber("offset", offset);
        w.WriteString("epoch", epoch);
        w.WriteBoolean("recovered", recovered ?? false);
        WritePublications(w, publications);
    });

    /// <summary>The reply to the history command.</summary>
    public static byte[] History(long? id, string channel, long offset, string epoch, IEnumerable<(long Offset, byte[] Data)> publications) =>
        HistoryObject(includeType: true, id, channel, offset, epoch, publications);

    /// <summary>GET /api/history's answer: the history reply without "type" and "id".</summary>
    public static byte[] HistoryBody(string channel, long offset, string epoch, IEnumerable<(long Offset, byte[] Data)> publications) =>
        HistoryObject(includeType: false, null, channel, offset, epoch, publications);

    private static byte[] HistoryObject(bool includeType, long? id, string channel, long offset, string epoch, IEnumerable<(long Offset, byte[] Data)> publications) => Write(w =>
    {
        if (includeType)
            w.WriteString("type", "history");
        WriteId(w, id);
        w.WriteString("channel", channel);
        w.WriteNumber("offset", offset);
        w.WriteString("epoch", epoch);
        WritePublications(w, publications);
    });

    /// <summary>The reply to the presence command.</summary>
    public static byte[] Presence(long? id, string channel, IEnumerable<(string Client, string User)> clients) =>
        PresenceObject(includeType: true, id, channel, clients);

    /// <summary>GET /api/presence's answer: the presence reply without "type" and "id".</summary>
    public static byte[] PresenceBody(string channel, IEnumerable<(string Client, string User)> clients) =>
        PresenceObject(includeType: false, null, channel, clients);

    private static byte[] PresenceObject(bool includeType, long? id, string channel, IEnumerable<(string Client, string User)> clients) => Write(w =>
    {
        if (includeType)
            w.WriteString("type", "presence");
        WriteId(w, id);
        w.WriteString("channel", channel);
        w.WriteStartArray("clients");
        foreach (var (client, user) in clients)
        {
            w.WriteStartObject();
            w.WriteString("client", client);
            w.WriteString("user", user);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    /// <summary>A join or leave push: <paramref name="type"/> is "join" or "leave".</summary>
    public static byte[] Membership(string type, string channel, string client, string user) => Write(w =>
    {
        w.WriteString("type", type);
        w.WriteString("channel", channel);
        w.WriteString("client", client);
        w.WriteString("user", user);
    });

    private static void WritePublications(Utf8JsonWriter w, IEnumerable<(long Offset, byte[] Data)> publications)
    {
        w.WriteStartArray("publications");
        foreach (var (offset, data) in publications)
        {
            w.WriteStartObject();
            w.WriteNumber("offset", offset);
            w.WritePropertyName("data");
            w.WriteRawValue(data, skipInputValidation: true);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

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
        var w = JsonScratch.Start();
        w.WriteStartObject();
        body(w);
        w.WriteEndObject();
        return JsonScratch.Finish(w);
    }
}
