using System.Text;
using NotifyActors.Connections;
using NotifyActors.Protocol;
using Xunit;

namespace NotifyActors.Tests.Connections;

/// <summary>The command rate as a frame meets it: a burst of one (or three) and no refill while a spec runs.</summary>
public sealed class FrameIntakeSpecs
{
    private readonly List<DecodeResult> _admitted = [];
    private readonly List<DecodeResult> _refused = [];

    [Fact]
    public void A_pong_takes_a_token_and_a_refused_one_is_handed_back_as_a_pong()
    {
        var intake = Intake(ClientDialects.Native);
        Assert.Equal(CommandAdmission.Allowed, intake.Take(Frame("""{"op":"pong"}"""), _admitted, _refused).Admission);

        var refused = intake.Take(Frame("""{"op":"pong"}"""), _admitted, _refused);

        Assert.Equal(CommandAdmission.Rejected, refused.Admission);
        Assert.Empty(_admitted);
        Assert.IsType<PongCommand>(Assert.Single(_refused).Command);
    }

    [Fact]
    public void A_small_command_past_the_rate_is_refused_with_its_id()
    {
        var intake = Intake(ClientDialects.Native);
        intake.Take(Frame("""{"op":"pong"}"""), _admitted, _refused);

        var refused = intake.Take(Frame("""{"op":"subscribe","id":7,"channel":"news"}"""), _admitted, _refused);

        Assert.Equal((CommandAdmission.Rejected, false), (refused.Admission, refused.RefusedUnread));
        Assert.Equal(7L, Assert.Single(_refused).Id);
    }

    [Fact]
    public void A_large_frame_is_decoded_only_when_admitted()
    {
        var intake = Intake(ClientDialects.Native);
        var large = Frame($$"""{"op":"subscribe","id":8,"channel":"news","pad":"{{new string('p', FrameIntake.DecodedBeforeAdmissionBytes)}}"}""");

        intake.Take(large, _admitted, _refused);
        Assert.IsType<SubscribeCommand>(Assert.Single(_admitted).Command);
        var refused = intake.Take(large, _admitted, _refused);

        Assert.Equal((CommandAdmission.Rejected, true), (refused.Admission, refused.RefusedUnread));
        Assert.Empty(_admitted);
        Assert.Empty(_refused);
    }

    [Fact]
    public void The_third_refusal_in_a_row_is_abuse()
    {
        var intake = Intake(ClientDialects.Native);
        intake.Take(Frame("""{"op":"pong"}"""), _admitted, _refused);
        intake.Take(Frame("""{"op":"pong"}"""), _admitted, _refused);
        intake.Take(Frame("""{"op":"pong"}"""), _admitted, _refused);

        Assert.Equal(CommandAdmission.Abusive, intake.Take(Frame("""{"op":"pong"}"""), _admitted, _refused).Admission);
    }

    [Fact]
    public void Each_command_of_a_frame_takes_a_token_and_those_past_the_rate_are_refused_in_order()
    {
        var intake = Intake(ClientDialects.CentrifugoJson, burst: 3);
        var frame = Frame(string.Join('\n',
            """{"id":1,"connect":{}}""",
            """{"id":2,"subscribe":{"channel":"a"}}""",
            """{"id":3,"subscribe":{"channel":"b"}}""",
            """{"id":4,"subscribe":{"channel":"c"}}""",
            """{"id":5,"subscribe":{"channel":"d"}}"""));

        var outcome = intake.Take(frame, _admitted, _refused);

        Assert.Equal(CommandAdmission.Rejected, outcome.Admission);
        Assert.Equal([1L, 2L, 3L], _admitted.Select(c => c.Id!.Value));
        Assert.Equal([4L], _refused.Select(c => c.Id!.Value)); // the fifth is never read
    }

    [Fact]
    public void A_frame_packed_with_commands_is_decoded_only_as_far_as_the_rate_allows()
    {
        var dialect = new CountingDialect(ClientDialects.CentrifugoJson);
        var intake = new FrameIntake(new CommandRateLimiter(0.001, 3, maxRejected: 3, TimeProvider.System), dialect);
        var pongs = Frame(string.Join('\n', Enumerable.Repeat("{}", 20_000)));

        intake.Take(pongs, _admitted, _refused);
        intake.Take(pongs, _admitted, _refused);

        Assert.Equal(3 + 1, dialect.Decoded); // three taken and one refused; the second frame, large, is refused unread
    }

    [Fact]
    public void A_frame_without_a_command_still_takes_a_token()
    {
        var intake = Intake(ClientDialects.CentrifugoJson);
        intake.Take(Frame("""{"send":{"data":{}}}"""), _admitted, _refused);

        var second = intake.Take(Frame("""{"send":{"data":{}}}"""), _admitted, _refused);

        Assert.Equal(CommandAdmission.Rejected, second.Admission);
    }

    /// <summary>The real dialect, counting the commands the intake asks it to decode.</summary>
    private sealed class CountingDialect(IClientDialect inner) : IClientDialect
    {
        public int Decoded { get; private set; }

        public IEnumerable<DecodeResult> Decode(byte[] frame)
        {
            foreach (var decoded in inner.Decode(frame))
            {
                Decoded++;
                yield return decoded;
            }
        }

        public string Name => inner.Name;
        public int Slot => inner.Slot;
        public bool BinaryFrames => inner.BinaryFrames;
        public bool ConnectsInBand => inner.ConnectsInBand;
        public bool ClosesOnMalformed => inner.ClosesOnMalformed;
        public byte[] Ping => inner.Ping;
        public byte[]? Welcome(string client, string user, int pingSeconds) => inner.Welcome(client, user, pingSeconds);
        public byte[] Connected(long? id, string client, int pingSeconds, TimeSpan? ttl, bool refresh) => inner.Connected(id, client, pingSeconds, ttl, refresh);
        public byte[] Publication(string channel, long offset, ReadOnlySpan<byte> data) => inner.Publication(channel, offset, data);
        public byte[] Membership(bool joined, string channel, string client, string user) => inner.Membership(joined, channel, client, user);
        public byte[] Subscribed(long? id, SubscribedReply reply) => inner.Subscribed(id, reply);
        public byte[] Unsubscribed(long? id, string channel) => inner.Unsubscribed(id, channel);
        public byte[] SubscriptionLost(string channel, string reason) => inner.SubscriptionLost(channel, reason);
        public byte[] Published(long? id, string channel, long offset, string epoch) => inner.Published(id, channel, offset, epoch);
        public byte[] Presence(long? id, string channel, IEnumerable<(string Client, string User)> clients) => inner.Presence(id, channel, clients);
        public byte[] PresenceStats(long? id, string channel, int clients, int users) => inner.PresenceStats(id, channel, clients, users);
        public byte[] History(long? id, string channel, long offset, string epoch, IEnumerable<(long Offset, byte[] Data)> publications) => inner.History(id, channel, offset, epoch, publications);
        public byte[] Error(long? id, ProtocolError error) => inner.Error(id, error);
        public CloseReason Close(CloseReason reason) => inner.Close(reason);
    }

    private static FrameIntake Intake(IClientDialect dialect, int burst = 1) =>
        new(new CommandRateLimiter(0.001, burst, maxRejected: 3, TimeProvider.System), dialect);

    private static byte[] Frame(string json) => Encoding.UTF8.GetBytes(json);
}
