namespace NotifyActors.Server.Tests;

/// <summary>Bounded polling: a condition that must become true within a time limit.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="describe"/>'s text after <paramref name="timeout"/>.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
                return;
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"not true within {timeout.TotalSeconds:0.#} s: {describe()}");
            await Task.Delay(Interval);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe) =>
        HoldsAsync(() => Task.FromResult(condition()), timeout, describe);
}
