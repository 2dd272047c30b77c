using System.Text;
using NotifyActors.Channels;
using Xunit;

namespace NotifyActors.Tests.Channels;

/// <summary>What a channel keeps for history and recovery, bounded by size and time to live.</summary>
public sealed class ChannelHistorySpecs
{
    private static readonly DateTime T0 = new(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(1);

    [Fact]
    public void Keeps_only_the_newest_size_publications()
    {
        var history = Filled(size: 3, count: 5);

        Assert.Equal([3L, 4L, 5L], history.Latest(null).Select(p => p.Offset));
        Assert.Equal(3, history.Count);
    }

    [Fact]
    public void Latest_with_a_limit_answers_the_newest_that_many_oldest_first()
    {
        var history = Filled(size: 10, count: 5);

        Assert.Equal([4L, 5L], history.Latest(2).Select(p => p.Offset));
        Assert.Empty(history.Latest(0));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], history.Latest(100).Select(p => p.Offset));
        Assert.Equal("3", Encoding.UTF8.GetString(history.Latest(3)[0].Data));
    }

    [Fact]
    public void After_a_kept_position_answers_everything_that_followed_in_order()
    {
        var history = Filled(size: 10, count: 5);

        Assert.Equal([3L, 4L, 5L], history.After(2, current: 5)!.Select(p => p.Offset));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], history.After(0, current: 5)!.Select(p => p.Offset));
    }

    [Fact]
    public void After_the_current_offset_is_empty_and_past_it_is_not_answerable()
    {
        var history = Filled(size: 10, count: 5);

        Assert.Empty(history.After(5, current: 5)!);
        Assert.Null(history.After(6, current: 5));
    }

    [Fact]
    public void After_a_position_whose_successor_is_no_longer_kept_is_not_answerable()
    {
        var history = Filled(size: 3, count: 5); // keeps 3, 4, 5

        Assert.Null(history.After(1, current: 5));
        Assert.Equal([3L, 4L, 5L], history.After(2, current: 5)!.Select(p => p.Offset));
    }

    [Fact]
    public void Without_history_only_the_current_position_is_answerable()
    {
        var history = Filled(size: 0, count: 5);

        Assert.False(history.IsEnabled);
        Assert.Equal(0, history.Count);
        Assert.Empty(history.After(5, current: 5)!);
        Assert.Null(history.After(4, current: 5));
    }

    [Fact]
    public void Prune_drops_what_outlived_the_ttl()
    {
        var history = new ChannelHistory(10, Ttl);
        history.Add(1, Data(1), T0);
        history.Add(2, Data(2), T0 + TimeSpan.FromSeconds(30));

        history.Prune(T0 + Ttl - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, history.Count);
        history.Prune(T0 + Ttl);
        Assert.Equal([2L], history.Latest(null).Select(p => p.Offset));
        Assert.Null(history.After(0, current: 2));
        history.Prune(T0 + TimeSpan.FromSeconds(30) + Ttl);
        Assert.Equal(0, history.Count);
        Assert.Null(history.After(1, current: 2));
        Assert.Empty(history.After(2, current: 2)!);
    }

    private static ChannelHistory Filled(int size, int count)
    {
        var history = new ChannelHistory(size, Ttl);
        for (var offset = 1; offset <= count; offset++)
            history.Add(offset, Data(offset), T0);
        return history;
    }

    private static byte[] Data(int n) => Encoding.UTF8.GetBytes(n.ToString());

    [Fact]
    public void Within_keeps_the_first_or_the_newest_publications_that_fit_in_a_reply()
    {
        var now = DateTime.UtcNow;
        IReadOnlyList<HistoricPublication> publications = [.. Enumerable.Range(1, 5).Select(i => new HistoricPublication(i, new byte[68], now))];

        // 68 bytes of data and 32 of framing each: 250 bytes hold two.
        Assert.Equal([1L, 2L], ChannelHistory.Within(publications, 250, newest: false).Select(p => p.Offset));
        Assert.Equal([4L, 5L], ChannelHistory.Within(publications, 250, newest: true).Select(p => p.Offset));
        Assert.Same(publications, ChannelHistory.Within(publications, 500, newest: true));
        Assert.Empty(ChannelHistory.Within(publications, 99, newest: false));
    }
}
