using System.Buffers;
using NotifyActors.Protocol;

namespace NotifyActors.Server.Api;

/// <summary>Reads a request body up to a limit, without trusting Content-Length alone.</summary>
public static class RequestBody
{
    /// <summary>
    /// The body, or the answer to give instead: 413 when it is larger than <paramref name="limit"/> bytes,
    /// and Kestrel's own status (400, or 408 for a body sent too slowly) when it cannot be read at all,
    /// such as a malformed or overflowing chunk size. Those are the client's errors, answered with the
    /// error body, not exceptions for the log.
    /// </summary>
    public static async Task<(byte[]? Body, IResult? Rejection)> ReadAsync(HttpRequest request, int limit)
    {
        try
        {
            return await ReadWithinAsync(request, limit) is { } body
                ? (body, null)
                : (null, ApiError.Of(StatusCodes.Status413PayloadTooLarge, ErrorCodes.LimitExceeded, $"request body is larger than {limit} bytes"));
        }
        catch (BadHttpRequestException e)
        {
            return (null, ApiError.Of(e.StatusCode, ErrorCodes.BadRequest, $"the request body could not be read: {e.Message}"));
        }
        catch (IOException e) when (e.InnerException is OverflowException or FormatException)
        {
            return (null, ApiError.BadRequest("the request body could not be read: a chunk size is not a number Kestrel can read"));
        }
    }

    private static async Task<byte[]?> ReadWithinAsync(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit)
            return null;
        var aborted = request.HttpContext.RequestAborted;
        if (request.ContentLength is { } length)
        {
            // The usual case (a publish or broadcast from a back end): read straight into the body's
            // own array. Kestrel ends the body at Content-Length, and fails the read if it is cut short.
            var body = new byte[length];
            var filled = 0;
            int got;
            while (filled < body.Length && (got = await request.Body.ReadAsync(body.AsMemory(filled), aborted)) > 0)
                filled += got;
            return filled == body.Length ? body : body[..filled];
        }
        // Chunked: the size is known only at the end.
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, aborted)) > 0)
            {
                if (buffer.Length + read > limit)
                    return null;
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
