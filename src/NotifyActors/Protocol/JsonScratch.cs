using System.Buffers;
using System.Text.Json;

namespace NotifyActors.Protocol;

/// <summary>
/// The buffer and writer every JSON frame is encoded with. Each thread encodes into its own scratch buffer and writer,
/// reused frame after frame; only the frame's own array is allocated. Encoding never awaits or nests, so a thread's
/// scratch serves one frame at a time.
/// </summary>
internal static class JsonScratch
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    // A scratch buffer above this is not kept for the next frame (a large history reply).
    private const int KeptBytes = 16 * 1024;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>This thread's writer, emptied; end with <see cref="Finish"/>.</summary>
    public static Utf8JsonWriter Start()
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(scratch, WriterOptions);
        w.Reset(scratch);
        return w;
    }

    /// <summary>The frame written since <see cref="Start"/>, as its own array.</summary>
    public static byte[] Finish(Utf8JsonWriter w)
    {
        w.Flush();
        var scratch = t_scratch!;
        var frame = scratch.WrittenSpan.ToArray();
        if (scratch.Capacity > KeptBytes)
        {
            t_scratch = null;
            t_writer = null;
        }
        return frame;
    }
}
