using System.Text.Json;

namespace NotifyActors.Protocol.Centrifugo;

/// <summary>
/// Writes Centrifugo's JSON replies and pushes (../shared/CENTRIFUGO.md): a reply is <c>{"id":N,"method":{..}}</c> with
/// its result object always present, a push is <c>{"push":{"channel":"c","type":{..}}}</c>, and data is embedded as
/// raw JSON. Encoded into a per-thread scratch buffer, as <see cref="ServerFrames"/> does.
/// </summary>
internal static class CentrifugoJsonFrames
{
    public static readonly byte[] Ping = "{}"u8.ToArray();

    /// <summary>What a connect reply names as the server's version.</summary>
    public const string ServerVersion = "notifyactors";

    public static byte[] Connected(long? id, string client, int pingSeconds, TimeSpan? ttl, bool refresh) => Reply(id, refresh ? "refresh" : "connect", w =>
    {
        w.WriteString("client", client);
        w.WriteString("version", ServerVersion);
        if (ttl is { } left)
        {
            w.WriteBoolean("expires", true);
            w.WriteNumber("ttl", Math.Max(1, (long)Math.Ceiling(left.TotalSeconds)));
        }
        if (!refresh)
        {
            w.WriteNumber("ping", pingSeconds);
            w.WriteBoolean("pong", true);
        }
    });

    public static byte[] Publication(string channel, long offset, ReadOnlySpan<byte> data)
    {
        var w = JsonScratch.Start();
        w.WriteStartObject();
        w.WriteStartObject("push");
        w.WriteString("channel", channel);
        w.WriteStartObject("pub");
        WriteData(w, data);
        w.WriteNumber("offset", offset);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonScratch.Finish(w);
    }

    public static byte[] Membership(bool joined, string channel, string client, string user) => Push(channel, joined ? "join" : "leave", w =>
    {
        w.WriteStartObject("info");
        w.WriteString("user", user);
        w.WriteString("client", client);
        w.WriteEndObject();
    });

    public static byte[] Subscribed(long? id, SubscribedReply reply) => Reply(id, "subscribe", w =>
    {
        if (reply.Recoverable)
        {
            w.WriteBoolean("recoverable", true);
            w.WriteString("epoch", reply.Epoch);
            w.WriteNumber("offset", reply.Offset);
            w.WriteBoolean("positioned", true);
        }
        if (reply.Recovered is { } recovered)
        {
            w.WriteBoolean("was_recovering", true);
            w.WriteBoolean("recovered", recovered);
            WritePublications(w, reply.Publications);
        }
    });

    public static byte[] Unsubscribed(long? id) => Reply(id, "unsubscribe", _ => { });

    public static byte[] SubscriptionLost(string channel, string reason) => Push(channel, "unsubscribe", w =>
    {
        w.WriteNumber("code", CentrifugoCodes.InsufficientState);
        w.WriteString("reason", reason);
    });

    public static byte[] Published(long? id) => Reply(id, "publish", _ => { });

    public static byte[] Presence(long? id, IEnumerable<(string Client, string User)> clients) => Reply(id, "presence", w =>
    {
        w.WriteStartObject("presence");
        foreach (var (client, user) in clients)
        {
            w.WriteStartObject(client);
            w.WriteString("user", user);
            w.WriteString("client", client);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    public static byte[] PresenceStats(long? id, int clients, int users) => Reply(id, "presence_stats", w =>
    {
        w.WriteNumber("num_clients", clients);
        w.WriteNumber("num_users", users);
    });

    public static byte[] History(long? id, long offset, string epoch, IEnumerable<(long Offset, byte[] Data)> publications) => Reply(id, "history", w =>
    {
        WritePublications(w, publications);
        w.WriteString("epoch", epoch);
        w.WriteNumber("offset", offset);
    });

    public static byte[] Error(long? id, ProtocolError error)
    {
        var (code, message, temporary) = CentrifugoCodes.Error(error.Code);
        var w = JsonScratch.Start();
        w.WriteStartObject();
        if (id is { } value)
            w.WriteNumber("id", value);
        w.WriteStartObject("error");
        w.WriteNumber("code", code);
        w.WriteString("message", message);
        if (temporary)
            w.WriteBoolean("temporary", true);
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonScratch.Finish(w);
    }

    private static void WritePublications(Utf8JsonWriter w, IEnumerable<(long Offset, byte[] Data)> publications)
    {
        w.WriteStartArray("publications");
        foreach (var (offset, data) in publications)
        {
            w.WriteStartObject();
            WriteData(w, data);
            w.WriteNumber("offset", offset);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// A publication's data, on one line: the SDKs split a frame at every line break, so a publisher's pretty-printed
    /// JSON would cut the message in two. Valid JSON holds a raw line break only as whitespace between tokens (inside a
    /// string it is escaped), so a space reads the same.
    /// </summary>
    private static void WriteData(Utf8JsonWriter w, ReadOnlySpan<byte> data)
    {
        w.WritePropertyName("data");
        if (data.IndexOfAny((byte)'\n', (byte)'\r') < 0)
        {
            w.WriteRawValue(data, skipInputValidation: true);
            return;
        }
        var flat = data.ToArray();
        flat.AsSpan().Replace((byte)'\n', (byte)' ');
        flat.AsSpan().Replace((byte)'\r', (byte)' ');
        w.WriteRawValue(flat, skipInputValidation: true);
    }

    /// <summary>A reply with its result object, present even when empty: the SDKs read <c>reply.method.field</c>.</summary>
    private static byte[] Reply(long? id, string method, Action<Utf8JsonWriter> result)
    {
        var w = JsonScratch.Start();
        w.WriteStartObject();
        if (id is { } value)
            w.WriteNumber("id", value);
        w.WriteStartObject(method);
        result(w);
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonScratch.Finish(w);
    }

    private static byte[] Push(string channel, string type, Action<Utf8JsonWriter> body)
    {
        var w = JsonScratch.Start();
        w.WriteStartObject();
        w.WriteStartObject("push");
        w.WriteString("channel", channel);
        w.WriteStartObject(type);
        body(w);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonScratch.Finish(w);
    }
}
