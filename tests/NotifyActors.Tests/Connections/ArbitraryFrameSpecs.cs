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
        var (client, subscriber, _) = await ConnectAsync(user: "alice");
        var property = Prop.ForAll(Arb.From(Frames()), frame => AnswerIsDocumented(client, frame).GetAwaiter().GetResult());

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400), property);

        ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // no Terminated: the actor lived through all of it
        Assert.Equal(1, Metrics.SubscriberActors);
        Assert.Equal(0, Metrics.SubscriberFailures);
        Assert.NotNull(subscriber);
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

    /// <summary>Random text, random JSON values, commands with random fields, deep nesting and huge numbers.</summary>
    private static Gen<string> Frames()
    {
        var text = ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).Select(s => s!);
        var ops = Gen.Elements("subscribe", "unsubscribe", "publish", "presence", "history", "pong", "nope", "", "SUBSCRIBE");
        var channels = Gen.Elements("news", "chat:room", "chat:room#alice", "notifications#bob", "nope:x", "bad channel!", "", new string('a', 256));
        var values = Gen.OneOf(
            Gen.Elements("1", "-1", "0", "1.5", "1e400", "99999999999999999999999999", "null", "true", "\"x\"", "[]", "{}", "{\"offset\":1,\"epoch\":\"e\"}", "{\"offset\":-1}"),
            text.Select(s => JsonSerializer.Serialize(s)));
        var fields = Gen.Elements("id", "channel", "data", "recover", "limit", "since", "op", "extra");
        var field = Gen.Zip(fields, values).Select(pair => $"\"{pair.Item1}\":{pair.Item2}");
        var command =
            from op in ops
            from channel in channels
            from extra in Gen.ListOf(field)
            select "{\"op\":\"" + op + "\",\"channel\":" + JsonSerializer.Serialize(channel) + string.Concat(extra.Select(f => "," + f)) + "}";
        var nesting = Gen.Choose(1, 5000).Select(depth => "{\"op\":\"publish\",\"channel\":\"chat:room\",\"data\":" + new string('[', depth) + new string(']', depth) + "}");
        return Gen.Frequency(
            (3, text.Where(s => s.Length > 0)),
            (2, values),
            (6, command),
            (1, nesting));
    }
}
