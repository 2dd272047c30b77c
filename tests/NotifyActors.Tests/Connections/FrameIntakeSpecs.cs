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
        Assert.Equal([4L, 5L], _refused.Select(c => c.Id!.Value));
    }

    [Fact]
    public void A_frame_without_a_command_still_takes_a_token()
    {
        var intake = Intake(ClientDialects.CentrifugoJson);
        intake.Take(Frame("""{"send":{"data":{}}}"""), _admitted, _refused);

        var second = intake.Take(Frame("""{"send":{"data":{}}}"""), _admitted, _refused);

        Assert.Equal(CommandAdmission.Rejected, second.Admission);
    }

    private static FrameIntake Intake(IClientDialect dialect, int burst = 1) =>
        new(new CommandRateLimiter(0.001, burst, maxRejected: 3, TimeProvider.System), dialect);

    private static byte[] Frame(string json) => Encoding.UTF8.GetBytes(json);
}
