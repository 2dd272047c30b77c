using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace NotifyActors.Cli;

/// <summary>
/// The admin API over HTTP. Every failure an operator can meet (server unreachable, wrong token,
/// an error answer) becomes a <see cref="CtlException"/> with a one-line message; nothing else escapes.
/// </summary>
public sealed class AdminClient(HttpClient http, Uri server)
{
    public Task<JsonElement> GetAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, pathAndQuery), cancellationToken);

    public Task<JsonElement> PostAsync(string path, object body, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        }, cancellationToken);

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new CtlException($"cannot reach the admin API at {server}: {OneLine(e.Message)}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CtlException($"the admin API at {server} did not answer in time");
            }
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                    throw new CtlException($"the admin API at {server} refused the token (401): check --token or NOTIFY_ADMIN_TOKEN");
                if (response.StatusCode == HttpStatusCode.NotFound && JsonError(text) is { } notFound)
                    throw new CtlException(notFound);
                if (response.StatusCode == HttpStatusCode.NotFound)
                    throw new CtlException($"{server} has no admin API here (404): is --server the admin address (notify.admin.urls, default http://127.0.0.1:5081)?");
                if (!response.IsSuccessStatusCode)
                    throw new CtlException($"the admin API answered {(int)response.StatusCode}: {ErrorMessage(text)}");
                try
                {
                    using var document = JsonDocument.Parse(text);
                    return document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    throw new CtlException($"{server} answered something that is not JSON: is it the admin API?");
                }
            }
        }
    }

    /// <summary>{"error":{"message"}} when the body has it, else the body itself, on one line.</summary>
    private static string ErrorMessage(string body) => JsonError(body) ?? OneLine(body.Length > 200 ? body[..200] : body);

    private static string? JsonError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message))
                return OneLine(message.GetString() ?? "");
        }
        catch (JsonException)
        {
        }
        return null;
    }

    public static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    public static HttpClient CreateHttp(Uri server, string token, HttpMessageHandler? handler)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = server;
        http.Timeout = TimeSpan.FromSeconds(15);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}

/// <summary>An error for the operator: printed as one line, exit code 1.</summary>
public sealed class CtlException(string message) : Exception(message);
