using Akka.Actor;

namespace NotifyActors.Channels;

/// <summary>
/// An owner's idle clock: an owner with no registered hub (no node has a subscriber) and nothing in flight asks its
/// shard to passivate it after notify.channels.idle-timeout without a message. One timer, re-armed only when it
/// fires after activity, so that a busy owner does not reschedule a timer per publication.
/// </summary>
internal sealed class OwnerIdle(ITimerScheduler timers, TimeSpan timeout)
{
    private bool _active;
    private bool _armed;

    /// <summary>Called after every message; <paramref name="idle"/>: the owner has no hub and nothing in flight.</summary>
    public void Touch(bool idle)
    {
        _active = true;
        if (idle && !_armed)
            Arm();
    }

    /// <summary>Called when the timer fires: true when the owner has been idle for the whole timeout.</summary>
    public bool Elapsed(bool idle)
    {
        _armed = false;
        if (!idle)
            return false;
        if (_active)
        {
            Arm();
            return false;
        }
        return true;
    }

    private void Arm()
    {
        _active = false;
        _armed = true;
        timers.StartSingleTimer(Tick.Instance, Tick.Instance, timeout);
    }

    /// <summary>The timer's message.</summary>
    internal sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}
