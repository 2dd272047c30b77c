using NotifyActors.Channels;
using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// A history command's <see cref="HistoryOrder"/> as a query to the channel and a cut of its answer. The channel
/// answers the native way (the newest, or the oldest after a position, oldest first); Centrifugo's orders that it
/// does not answer directly (the oldest without a position; newest first before a position) take everything kept
/// that fits a reply and are cut here.
/// </summary>
internal static class HistoryWindow
{
    /// <summary>What to ask the channel for.</summary>
    public static (int? Limit, RecoveryPosition? Since) Query(HistoryCommand command) => command.Order switch
    {
        HistoryOrder.Native => (command.Limit, command.Since),
        HistoryOrder.Forward when command.Since is not null => (command.Limit, command.Since),
        HistoryOrder.Reverse when command.Since is null => (command.Limit, null),
        _ => (null, null),
    };

    /// <summary>The publications to answer with, in the command's order; null when its position is no longer kept.</summary>
    public static IReadOnlyList<HistoricPublication>? Cut(HistoryCommand command, HistoryResult result)
    {
        if (result.Publications is not { } publications)
            return null;
        switch (command.Order)
        {
            case HistoryOrder.Forward when command.Since is null && command.Limit is { } limit:
                return publications.Take(limit).ToList();
            case HistoryOrder.Reverse:
                if (command.Since is { } since)
                {
                    if (since.Epoch != result.Epoch)
                        return null;
                    publications = publications.Where(p => p.Offset < since.Offset).ToList();
                }
                var newestFirst = publications.Reverse();
                return (command.Limit is { } most ? newestFirst.Take(most) : newestFirst).ToList();
            default:
                return publications;
        }
    }
}
