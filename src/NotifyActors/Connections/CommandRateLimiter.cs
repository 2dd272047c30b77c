using NotifyActors.Configuration;

namespace NotifyActors.Connections;

/// <summary>
/// The command rate of one connection (notify.limits.command-rate / command-burst / max-rejected-commands):
/// a token bucket holding up to <c>burst</c> tokens, refilled at <c>rate</c> per second; each command
/// takes one. A command that finds the bucket empty is rejected; the <c>maxRejected</c>-th rejection
/// in a row (no command allowed in between) is abuse. A client that waits for its replies gets a
/// token now and then and is never called abusive, however fast it is; one that pipelines commands
/// at more than <c>maxRejected</c> times the rate is. Not thread-safe: one actor owns it. Time comes
/// from a <see cref="TimeProvider"/>, so specs can move it by hand.
/// </summary>
/// <remarks>
/// Kept as the bucket's equivalent in whole clock ticks (the generic cell rate algorithm), so that
/// refills are exact: <c>_full</c> is the moment the bucket is full again; each command pushes it one
/// <c>_interval</c> (1 / rate) later; a command is allowed while that moment is at most
/// <c>burst - 1</c> intervals away (there is still a token left for it).
/// </remarks>
public sealed class CommandRateLimiter
{
    private readonly long _interval;
    private readonly long _tolerance;
    private readonly int _maxRejected;
    private readonly TimeProvider _time;
    private long _full;
    private int _rejected;

    public CommandRateLimiter(double ratePerSecond, int burst, int maxRejected, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRejected);
        // Capped so that absurdly slow rates cannot overflow the arithmetic below.
        const double cap = long.MaxValue / 4;
        _interval = (long)Math.Clamp(Math.Round(time.TimestampFrequency / ratePerSecond), 1, cap);
        _tolerance = (long)Math.Min((double)(burst - 1) * _interval, cap);
        _maxRejected = maxRejected;
        _time = time;
        _full = time.GetTimestamp();
    }

    public static CommandRateLimiter For(LimitsSettings limits, TimeProvider? time = null) =>
        new(limits.CommandRate, limits.CommandBurst, limits.MaxRejectedCommands, time ?? TimeProvider.System);

    /// <summary>Rejections since the last allowed command.</summary>
    public int Rejected => _rejected;

    /// <summary>Takes a token for one command, if there is one.</summary>
    public CommandAdmission TryTake()
    {
        var now = _time.GetTimestamp();
        if (_full < now)
            _full = now;
        if (_full - now <= _tolerance)
        {
            _full += _interval;
            _rejected = 0;
            return CommandAdmission.Allowed;
        }
        _rejected++;
        return _rejected >= _maxRejected ? CommandAdmission.Abusive : CommandAdmission.Rejected;
    }
}
