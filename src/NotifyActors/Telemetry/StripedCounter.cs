namespace NotifyActors.Telemetry;

/// <summary>
/// A count that many threads change at once, read rarely (by the exporter, the admin API, the
/// watchdog). Each processor adds to its own cell, on its own cache line, so the counters changed
/// for every delivery (deliveries, the outbound queue depth) do not bounce one cache line between
/// cores on every frame; a read sums the cells.
/// </summary>
internal sealed class StripedCounter
{
    // One cell per 64-byte cache line.
    private const int Stride = 8;
    private readonly long[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        var stripes = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount));
        _mask = stripes - 1;
        // One spare line in front, so the first cell does not share a line with the array's header.
        _cells = new long[(stripes + 1) * Stride];
    }

    public void Add(long value) => Interlocked.Add(ref _cells[((Thread.GetCurrentProcessorId() & _mask) + 1) * Stride], value);

    public long Sum()
    {
        long sum = 0;
        for (var i = Stride; i < _cells.Length; i += Stride)
            sum += Interlocked.Read(ref _cells[i]);
        return sum;
    }
}
