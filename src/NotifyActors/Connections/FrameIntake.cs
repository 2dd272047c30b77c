using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// What one client frame becomes before it runs (notify.limits.command-rate). Every command takes a token, pongs and
/// Centrifugo's sends too, and commands are decoded one at a time as their tokens are taken: the first refused is
/// the last decoded, so a frame packed with thousands of commands costs no more than the rate allows. A frame up to
/// <see cref="DecodedBeforeAdmissionBytes"/> has its first command decoded before its token is taken, so that a
/// refused command's reply carries its id; a larger one past the rate is refused unread, since decoding it is the cost
/// the rate is there to bound (a padded pong or command is up to max-frame-bytes). A refused pong gets no answer: a
/// pong has none. Any frame, taken or refused, is a sign of life; that is the subscriber's to record. Not
/// thread-safe: one subscriber actor owns it.
/// </summary>
internal sealed class FrameIntake(CommandRateLimiter rate, IClientDialect dialect)
{
    public const int DecodedBeforeAdmissionBytes = 1024;

    /// <summary>
    /// <see cref="CommandAdmission.Abusive"/>: close the connection. <paramref name="RefusedUnread"/>: a large frame
    /// refused before it was decoded, answered once without an id.
    /// </summary>
    public readonly record struct Outcome(CommandAdmission Admission, bool RefusedUnread);

    /// <summary>
    /// Fills <paramref name="admitted"/> with the commands to run, in order, and <paramref name="refused"/> with the one
    /// the rate refused, if any (what follows it in the frame is dropped unread).
    /// </summary>
    public Outcome Take(byte[] frame, List<DecodeResult> admitted, List<DecodeResult> refused)
    {
        admitted.Clear();
        refused.Clear();
        var paid = false;
        if (frame.Length > DecodedBeforeAdmissionBytes)
        {
            var first = rate.TryTake();
            if (first != CommandAdmission.Allowed)
                return new Outcome(first, RefusedUnread: true);
            paid = true;
        }
        foreach (var decoded in dialect.Decode(frame))
        {
            var admission = paid ? CommandAdmission.Allowed : rate.TryTake();
            paid = false;
            if (admission != CommandAdmission.Allowed)
            {
                refused.Add(decoded);
                return new Outcome(admission, RefusedUnread: false);
            }
            admitted.Add(decoded);
        }
        return new Outcome(CommandAdmission.Allowed, RefusedUnread: false);
    }
}
