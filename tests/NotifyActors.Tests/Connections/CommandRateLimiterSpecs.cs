using NotifyActors.Configuration;
using NotifyActors.Connections;
using Xunit;

namespace NotifyActors.Tests.Connections;

/// <summary>The token bucket, on a clock the spec moves by hand: no sleeps, no timing luck.</summary>
public sealed class CommandRateLimiterSpecs
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void A_full_burst_is_allowed_at_once_and_the_next_command_is_rejected()
    {
        var limiter = new CommandRateLimiter(ratePerSecond: 10, burst: 5, maxRejected: 100, _clock);

        for (var i = 0; i < 5; i++)
            Assert.Equal(CommandAdmission.Allowed, limiter.TryTake());

        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
        Assert.Equal(1, limiter.Rejected);
    }

    [Fact]
    public void Tokens_come_back_at_the_rate()
    {
        var limiter = new CommandRateLimiter(ratePerSecond: 10, burst: 5, maxRejected: 100, _clock);
        Drain(limiter, 5);

        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
        _clock.Advance(TimeSpan.FromMilliseconds(1)); // 100 ms in all: one token at 10 per second
        Assert.Equal(CommandAdmission.Allowed, limiter.TryTake());
        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());

        _clock.Advance(TimeSpan.FromMilliseconds(300)); // three more
        for (var i = 0; i < 3; i++)
            Assert.Equal(CommandAdmission.Allowed, limiter.TryTake());
        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
    }

    [Fact]
    public void A_long_pause_refills_no_more_than_the_burst()
    {
        var limiter = new CommandRateLimiter(ratePerSecond: 10, burst: 5, maxRejected: 100, _clock);
        Drain(limiter, 5);

        _clock.Advance(TimeSpan.FromHours(1));

        Drain(limiter, 5);
        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
    }

    [Fact]
    public void A_client_exactly_at_the_rate_is_never_rejected()
    {
        var limiter = new CommandRateLimiter(ratePerSecond: 50, burst: 1, maxRejected: 1, _clock);

        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(CommandAdmission.Allowed, limiter.TryTake());
            _clock.Advance(TimeSpan.FromMilliseconds(20));
        }
    }

    [Fact]
    public void A_fractional_rate_refills_slower_than_one_per_second()
    {
        var limiter = new CommandRateLimiter(ratePerSecond: 0.5, burst: 1, maxRejected: 100, _clock);
        Drain(limiter, 1);

        _clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(CommandAdmission.Allowed, limiter.TryTake());
    }

    [Fact]
    public void The_rejection_that_reaches_the_limit_is_abuse()
    {
        var limiter = new CommandRateLimiter(ratePerSecond: 10, burst: 2, maxRejected: 3, _clock);
        Drain(limiter, 2);

        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
        Assert.Equal(CommandAdmission.Abusive, limiter.TryTake());
    }

    [Fact]
    public void An_allowed_command_in_between_starts_the_count_again()
    {
        // A client that waits for its replies gets a token now and then: throttled, never abusive.
        var limiter = new CommandRateLimiter(ratePerSecond: 10, burst: 2, maxRejected: 3, _clock);
        Drain(limiter, 2);

        for (var round = 0; round < 100; round++)
        {
            Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
            Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            Assert.Equal(CommandAdmission.Allowed, limiter.TryTake());
            Assert.Equal(0, limiter.Rejected);
        }
    }

    [Fact]
    public void A_flood_at_max_rejected_times_the_rate_is_abuse()
    {
        // 10 per second and 3 in a row: a flood of 40 per second would get one token in four, but
        // its third rejection in a row comes first.
        var limiter = new CommandRateLimiter(ratePerSecond: 10, burst: 2, maxRejected: 3, _clock);
        Drain(limiter, 2);
        var answers = new List<CommandAdmission>();

        for (var i = 0; i < 40 && (answers.Count == 0 || answers[^1] != CommandAdmission.Abusive); i++)
        {
            answers.Add(limiter.TryTake());
            _clock.Advance(TimeSpan.FromMilliseconds(25));
        }

        Assert.Equal(CommandAdmission.Abusive, answers[^1]);
        Assert.Equal([CommandAdmission.Rejected, CommandAdmission.Rejected, CommandAdmission.Abusive], answers);
    }

    [Fact]
    public void A_pause_after_rejections_lets_the_next_command_through_and_forgives_them()
    {
        var limiter = new CommandRateLimiter(ratePerSecond: 10, burst: 2, maxRejected: 3, _clock);
        Drain(limiter, 2);
        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());

        _clock.Advance(TimeSpan.FromMilliseconds(200)); // burst / rate: full again

        Drain(limiter, 2);
        Assert.Equal(0, limiter.Rejected);
        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
        Assert.Equal(CommandAdmission.Abusive, limiter.TryTake());
    }

    [Fact]
    public void It_is_built_from_the_limits_settings()
    {
        var limits = NotifySettings.Create(NotifyConfig.Defaults).Limits with { CommandRate = 1, CommandBurst = 3, MaxRejectedCommands = 2 };
        var limiter = CommandRateLimiter.For(limits, _clock);

        Drain(limiter, 3);
        Assert.Equal(CommandAdmission.Rejected, limiter.TryTake());
        Assert.Equal(CommandAdmission.Abusive, limiter.TryTake());
    }

    [Fact]
    public void An_absurdly_slow_rate_does_not_overflow()
    {
        var limiter = new CommandRateLimiter(ratePerSecond: 1e-300, burst: int.MaxValue, maxRejected: 1, _clock);

        Assert.Equal(CommandAdmission.Allowed, limiter.TryTake());
        _clock.Advance(TimeSpan.FromDays(365));
        Assert.Equal(CommandAdmission.Allowed, limiter.TryTake());
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, 0)]
    [InlineData(-1, 1, 1)]
    public void Nonsense_parameters_are_refused(double rate, int burst, int maxRejected)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CommandRateLimiter(rate, burst, maxRejected, _clock));
    }

    private static void Drain(CommandRateLimiter limiter, int tokens)
    {
        for (var i = 0; i < tokens; i++)
            Assert.Equal(CommandAdmission.Allowed, limiter.TryTake());
    }

    /// <summary>A clock that only moves when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
