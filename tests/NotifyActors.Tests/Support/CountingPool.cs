using System.Buffers;

namespace NotifyActors.Tests.Support;

/// <summary>An array pool that counts what is rented and not yet returned, over the shared pool.</summary>
public sealed class CountingPool : ArrayPool<byte>
{
    private int _outstanding;
    private int _largest;

    /// <summary>Arrays rented and not returned.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>The largest array rented so far.</summary>
    public int Largest => Volatile.Read(ref _largest);

    public override byte[] Rent(int minimumLength)
    {
        var array = Shared.Rent(minimumLength);
        Interlocked.Increment(ref _outstanding);
        int seen;
        while ((seen = Volatile.Read(ref _largest)) < array.Length && Interlocked.CompareExchange(ref _largest, array.Length, seen) != seen)
        {
        }
        return array;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        Interlocked.Decrement(ref _outstanding);
        Shared.Return(array, clearArray);
    }
}
