using System.Text.Json;

namespace NotifyActors.Server.Api;

/// <summary>
/// The JSON object of a server API (or admin API) request body, read by an endpoint's own function.
/// Bad input becomes 400 bad_request, never a 500: malformed JSON, a body that is not an object, and
/// what System.Text.Json parses but then refuses to read (an escaped lone surrogate such as
/// <c>"\ud800"</c>, in a value or in a field name, throws when a string is read or a field looked up).
/// </summary>
public static class JsonBody
{
    public static T Read<T>(byte[] body, Func<JsonElement, T> read, Func<IResult, T> rejected)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return rejected(ApiError.BadRequest("body is not valid JSON"));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return rejected(ApiError.BadRequest("body must be a JSON object"));
            try
            {
                return read(document.RootElement);
            }
            catch (InvalidOperationException)
            {
                return rejected(ApiError.BadRequest("body holds a string that is not text: invalid UTF-8, or a \\u escape of a lone surrogate"));
            }
        }
    }
}
