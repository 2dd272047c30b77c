using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using NotifyActors.Configuration;
using NotifyActors.Connections;
using NotifyActors.Protocol;

namespace NotifyActors.Server.Api;

/// <summary>
/// POST /api/disconnect {"user"} or {"client"} (or both: the client must belong to the user): closes the
/// matching connections of this node with 4003 and answers 200 {"disconnected": n}, how many were told to
/// close (0 when none matched). Anonymous connections can be named by client only.
/// </summary>
public static class DisconnectEndpoint
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static async Task<IResult> Handle(
        HttpRequest request,
        ApiKeyAuthorizer authorizer,
        NotifySettings settings,
        IRequiredActor<ConnectionsSupervisor> connections)
    {
        var (body, rejected) = await RequestBody.ReadAuthorizedAsync(request, authorizer, settings.Limits.MaxPublishBytes);
        if (body is null)
            return rejected!;

        var (user, client, error) = Parse(body);
        if (error is not null)
            return error;

        try
        {
            var answer = await connections.ActorRef.Ask<ConnectionsSupervisor.ClientsDisconnected>(
                new ConnectionsSupervisor.DisconnectClients(user, client), AskTimeout);
            return Results.Json(new DisconnectResult(answer.Count));
        }
        catch (AskTimeoutException)
        {
            return ApiError.Of(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Internal, "the connections did not answer in time; some may have been disconnected");
        }
    }

    internal static (string? User, string? Client, IResult? Error) Parse(byte[] body) =>
        JsonBody.Read(body, root => Parse(root), rejected => (null, null, rejected));

    private static (string? User, string? Client, IResult? Error) Parse(JsonElement root)
    {
        if (!TryReadString(root, "user", out var user) || !TryReadString(root, "client", out var client))
            return (null, null, ApiError.BadRequest("\"user\" and \"client\" must be non-empty strings"));
        if (user is null && client is null)
            return (null, null, ApiError.BadRequest("give \"user\" or \"client\""));
        return (user, client, null);
    }

    /// <summary>False when the property is present but not a non-empty string; value null when absent.</summary>
    private static bool TryReadString(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element))
            return true;
        if (element.ValueKind != JsonValueKind.String || element.GetString() is not { Length: > 0 } text)
            return false;
        value = text;
        return true;
    }

    private sealed record DisconnectResult(int Disconnected);
}
