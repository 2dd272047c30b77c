using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// What one client frame becomes before it runs (notify.limits.command-rate). Every frame takes a token,
/// pongs too. A frame up to <see cref="DecodedBeforeAdmissionBytes"/> is decoded first, so that a refused
/// command's reply carries its id; a larger one past the rate is refused unread, since decoding it is the
/// cost the rate is there to bound (a padded pong or command is up to max-frame-bytes of JSON). A refused
/// pong gets no answer: a pong has none. Any frame, taken or refused, is a sign of life; that is the
/// subscriber's to record. Not thread-safe: one subscriber actor owns it.
/// </summary>
internal sealed class FrameIntake(CommandRateLimiter rate)
{
    public const int DecodedBeforeAdmissionBytes = 1024;

    /// <summary>
    /// The decoded frame (default when it was refused unread) and what the rate said; with
    /// <see cref="CommandAdmission.Rejected"/>, <paramref name="AnswerRefusal"/> says whether to answer limit_exceeded.
    /// </summary>
    public readonly record struct Outcome(DecodeResult Decoded, CommandAdmission Admission, bool AnswerRefusal);

    public Outcome Take(byte[] frame)
    {
        if (frame.Length > DecodedBeforeAdmissionBytes)
        {
            var admission = rate.TryTake();
            return new Outcome(admission == CommandAdmission.Allowed ? CommandDecoder.Decode(frame) : default, admission, AnswerRefusal: true);
        }
        var decoded = CommandDecoder.Decode(frame);
        return new Outcome(decoded, rate.TryTake(), AnswerRefusal: decoded.Command is not PongCommand);
    }
}
