using System.Buffers;
using NotifyActors.Protocol;

namespace NotifyActors.Server.Api;

/// <summary>Reads a request body up to a limit, without trusting Content-Length alone.</summary>
public static class RequestBody
{
    /// <summary>The body of a server API request that carries a valid API key, or the answer to give instead (401, 413).</summary>
    public static async Task<(byte[]? Body, IResult? Rejection)> ReadAuthorizedAsync(HttpRequest request, ApiKeyAuthorizer authorizer, int limit)
    {
        if (!authorizer.IsAuthorized(request))
            return (null, ApiError.Unauthorized());
        return await ReadAsync(request, limit) is { } body
            ? (body, null)
            : (null, ApiError.Of(StatusCodes.Status413PayloadTooLarge, ErrorCodes.LimitExceeded, $"request body is larger than {limit} bytes"));
    }

    /// <summary>The body, or null when it is larger than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit)
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
