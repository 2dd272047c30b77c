namespace NotifyActors.Protocol;

/// <summary>
/// One encoding per dialect of a message that many subscribers receive (a publication, a join or leave): made by
/// whichever subscriber asks first, then shared. Two racing encode the same bytes and one is kept.
/// </summary>
internal sealed class DialectFrames<T> where T : class
{
    private readonly T?[] _frames = new T?[ClientDialects.Count];

    /// <summary><paramref name="encode"/> runs at most once per dialect but for a race; a static lambda, so the hot path allocates nothing.</summary>
    public T Get<TState>(IClientDialect dialect, TState state, Func<IClientDialect, TState, T> encode) =>
        Volatile.Read(ref _frames[dialect.Slot])
        ?? Interlocked.CompareExchange(ref _frames[dialect.Slot], encode(dialect, state), null)
        ?? _frames[dialect.Slot]!;
}
