using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using NotifyActors.Protocol;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

/// <summary>
/// Property: whatever text frame a client sends, it is answered with a documented error or taken as
/// a command; the subscriber actor never dies of it and the socket stays usable. Each frame is
/// followed by a sentinel command that always gets an answer, which marks where that frame's
/// replies end and proves the connection still works.
/// </summary>
public sealed class ArbitraryFrameSpecs(ITestOutputHelper output) : ServiceSpec("""
    notify.heartbeat.interval = 10m
    # The property is about frame handling: every frame is decoded and answered on its own merits,
    # not cut short by the command rate (which has its own specs).
    notify.limits { command-rate = 1000000, command-burst = 1000000 }
    notify.namespaces.chat { history-size = 10, presence = on, join-leave = on, allow-client-publish = on }
    """, output)
{
    private const long SentinelId = 9_000_000_001;
    private const string Sentinel = """{"op":"presence","id":9000000001,"channel":"no-presence-here"}""";

    private static readonly HashSet<string> DocumentedErrors =
    [
        ErrorCodes.BadRequest, ErrorCodes.UnknownOp, ErrorCodes.PermissionDenied, ErrorCodes.InvalidChannel,
        ErrorCodes.LimitExceeded, ErrorCodes.NotAvailable, ErrorCodes.Internal,
    ];

    private static readonly HashSet<string> ReplyTypes =
        ["subscribed", "unsubscribed", "published", "presence", "history", "pub", "join", "leave", "ping"];

    [Fact]
    public async Task Any_text_frame_gets_a_documented_answer_and_leaves_the_connection_usable()
    {
        var (client, _, _) = await ConnectAsync(user: "alice");
        var property = Prop.ForAll(Arb.From(Frames()), frame => AnswerIsDocumented(client, frame).GetAwaiter().GetResult());

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400), property);

        ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // no Terminated: the actor lived through all of it
        Assert.Equal(1, Metrics.SubscriberActors);
        Assert.Equal(0, Metrics.SubscriberFailures);
        await client.SendAsync("""{"op":"subscribe","id":1,"channel":"after-the-property"}""");
        Assert.Equal("subscribed", (await client.ReceiveSkippingPingsAsync()).GetProperty("type").GetString());
    }

    private static async Task<bool> AnswerIsDocumented(TestClient client, string frame)
    {
        await client.SendAsync(frame);
        await client.SendAsync(Sentinel);
        while (true)
        {
            var reply = await client.ReceiveAsync();
            var type = reply.GetProperty("type").GetString();
            if (type == "error")
            {
                if (!DocumentedErrors.Contains(reply.GetProperty("code").GetString()!) || reply.GetProperty("message").GetString() is not { Length: > 0 })
                    return false;
                if (reply.TryGetProperty("id", out var id) && id.GetInt64() == SentinelId)
                    return true;
            }
            else if (!ReplyTypes.Contains(type!))
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Random text; any JSON token (numbers of every shape, strings with escapes, lone surrogates and bad
    /// escapes, true/false/null, arrays, objects, positions) in every field a command has, field names
    /// included; deep nesting.
    /// </summary>
    private static Gen<string> Frames()
    {
        var text = ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).Select(s => s!);
        var strings = Gen.OneOf(
            text.Select(s => JsonSerializer.Serialize(s)),
            // Escapes System.Text.Json accepts as JSON but that are no character (lone or reversed surrogates),
            // and escapes that are not JSON at all.
            Gen.Elements(@"\ud800", @"\udfff", @"a\udc00b", @"\ud800\ud800", @"\udc00\ud800", @"\ud83d",
                @"\x41", @"\u12", @"\uZZZZ", @"\", "tab\tinside", @"\u0000").Select(inner => "\"" + inner + "\""));
        var scalars = Gen.OneOf(
            Gen.Elements("1", "-1", "0", "1.5", "1e400", "-0", "2e-5", "99999999999999999999999999", "9223372036854775808", "null", "true", "false"),
            strings);
        var names = Gen.Elements("subscribe", "unsubscribe", "publish", "presence", "history", "pong", "nope", "", "SUBSCRIBE")
            .Select(op => JsonSerializer.Serialize(op));
        var channels = Gen.Elements("news", "chat:room", "chat:room#alice", "notifications#bob", "nope:x", "bad channel!", "", new string('a', 256))
            .Select(channel => JsonSerializer.Serialize(channel));
        var anyValue = Gen.Sized(size => JsonValue(scalars, Math.Min(size, 3)));
        var fieldNames = Gen.OneOf(
            Gen.Elements("id", "channel", "data", "recover", "limit", "since", "op", "extra", "offset", "epoch").Select(n => JsonSerializer.Serialize(n)),
            strings);
        var extraField = Gen.Zip(fieldNames, anyValue).Select(pair => $"{pair.Item1}:{pair.Item2}");
        var command =
            from op in Gen.Frequency((5, names), (1, anyValue))
            from channel in Gen.Frequency((5, channels), (1, anyValue))
            from extra in Gen.ListOf(extraField)
            select "{\"op\":" + op + ",\"channel\":" + channel + string.Concat(extra.Select(f => "," + f)) + "}";
        var nesting = Gen.Choose(1, 5000).Select(depth => "{\"op\":\"publish\",\"channel\":\"chat:room\",\"data\":" + new string('[', depth) + new string(']', depth) + "}");
        return Gen.Frequency(
            (3, text.Where(s => s.Length > 0)),
            (2, anyValue),
            (6, command),
            (1, nesting));
    }

    /// <summary>A JSON value: a scalar, or (while depth lasts) an array, an object or a {offset, epoch} position of values.</summary>
    private static Gen<string> JsonValue(Gen<string> scalars, int depth)
    {
        if (depth <= 0)
            return scalars;
        var inner = JsonValue(scalars, depth - 1);
        var array = Gen.ListOf(inner).Select(items => "[" + string.Join(",", items) + "]");
        var obj = Gen.ListOf(Gen.Zip(scalars.Where(s => s.StartsWith('"')), inner)).Select(fields => "{" + string.Join(",", fields.Select(f => f.Item1 + ":" + f.Item2)) + "}");
        var position = Gen.Zip(inner, inner).Select(p => "{\"offset\":" + p.Item1 + ",\"epoch\":" + p.Item2 + "}");
        return Gen.Frequency((4, scalars), (1, array), (1, obj), (2, position));
    }
}
