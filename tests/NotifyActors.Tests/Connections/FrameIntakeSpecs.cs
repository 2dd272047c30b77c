using System.Text;
using NotifyActors.Connections;
using NotifyActors.Protocol;
using Xunit;

namespace NotifyActors.Tests.Connections;

/// <summary>The command rate as a frame meets it: a burst of one and no refill while a spec runs.</summary>
public sealed class FrameIntakeSpecs
{
    private readonly FrameIntake _intake = new(new CommandRateLimiter(0.001, burst: 1, maxRejected: 3, TimeProvider.System));

    [Fact]
    public void A_pong_takes_a_token_and_its_refusal_is_not_answered()
    {
        Assert.Equal(CommandAdmission.Allowed, _intake.Take(Frame("""{"op":"pong"}""")).Admission);

        var refused = _intake.Take(Frame("""{"op":"pong"}"""));

        Assert.Equal((CommandAdmission.Rejected, false), (refused.Admission, refused.AnswerRefusal));
    }

    [Fact]
    public void A_small_command_past_the_rate_is_refused_with_its_id()
    {
        _intake.Take(Frame("""{"op":"pong"}"""));

        var refused = _intake.Take(Frame("""{"op":"subscribe","id":7,"channel":"news"}"""));

        Assert.Equal((CommandAdmission.Rejected, true, 7L), (refused.Admission, refused.AnswerRefusal, refused.Decoded.Id));
    }

    [Fact]
    public void A_large_frame_is_decoded_only_when_admitted()
    {
        var large = Frame($$"""{"op":"subscribe","id":8,"channel":"news","pad":"{{new string('p', FrameIntake.DecodedBeforeAdmissionBytes)}}"}""");

        var admitted = _intake.Take(large);
        var refused = _intake.Take(large);

        Assert.IsType<SubscribeCommand>(admitted.Decoded.Command);
        Assert.Equal((CommandAdmission.Rejected, true), (refused.Admission, refused.AnswerRefusal));
        Assert.Null(refused.Decoded.Command);
        Assert.Null(refused.Decoded.Id);
    }

    [Fact]
    public void The_third_refusal_in_a_row_is_abuse()
    {
        _intake.Take(Frame("""{"op":"pong"}"""));
        _intake.Take(Frame("""{"op":"pong"}"""));
        _intake.Take(Frame("""{"op":"pong"}"""));

        Assert.Equal(CommandAdmission.Abusive, _intake.Take(Frame("""{"op":"pong"}""")).Admission);
    }

    private static byte[] Frame(string json) => Encoding.UTF8.GetBytes(json);
}
