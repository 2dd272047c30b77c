using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// What one client frame becomes before it runs (notify.limits.command-rate). Every command takes a token, pongs too,
/// and so does a frame without any (a Centrifugo send). A frame up to <see cref="DecodedBeforeAdmissionBytes"/> is
/// decoded first, so that a refused command's reply carries its id; a larger one past the rate is refused unread,
/// since decoding it is the cost the rate is there to bound (a padded pong or command is up to max-frame-bytes of
/// JSON). Once one command of a frame is refused, the rest of the frame is too. A refused pong gets no answer: a pong
/// has none. Any frame, taken or refused, is a sign of life; that is the subscriber's to record. Not thread-safe: one
/// subscriber actor owns it.
/// </summary>
internal sealed class FrameIntake(CommandRateLimiter rate, IClientDialect dialect)
{
    public const int DecodedBeforeAdmissionBytes = 1024;

    /// <summary>
    /// <see cref="CommandAdmission.Abusive"/>: close the connection. <paramref name="RefusedUnread"/>: a large frame
    /// refused before it was decoded, answered once without an id.
    /// </summary>
    public readonly record struct Outcome(CommandAdmission Admission, bool RefusedUnread);

    /// <summary>Fills <paramref name="admitted"/> with the commands to run, in order, and <paramref name="refused"/> with those past the rate.</summary>
    public Outcome Take(byte[] frame, List<DecodeResult> admitted, List<DecodeResult> refused)
    {
        admitted.Clear();
        refused.Clear();
        var taken = 0;
        if (frame.Length > DecodedBeforeAdmissionBytes)
        {
            var first = rate.TryTake();
            if (first != CommandAdmission.Allowed)
                return new Outcome(first, RefusedUnread: true);
            taken = 1;
        }
        dialect.Decode(frame, admitted);
        for (var i = taken; i < Math.Max(1, admitted.Count); i++)
        {
            var admission = rate.TryTake();
            if (admission == CommandAdmission.Allowed)
                continue;
            if (i < admitted.Count)
            {
                refused.AddRange(admitted.Skip(i));
                admitted.RemoveRange(i, admitted.Count - i);
            }
            return new Outcome(admission, RefusedUnread: false);
        }
        return new Outcome(CommandAdmission.Allowed, RefusedUnread: false);
    }
}
