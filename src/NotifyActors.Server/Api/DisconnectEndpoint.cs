using System.Text.Json;
using NotifyActors.Configuration;
using NotifyActors.Connections;
using NotifyActors.Server.Cluster;

namespace NotifyActors.Server.Api;

/// <summary>
/// POST /api/disconnect {"user"} or {"client"} (or both: the client must belong to the user): closes the matching
/// connections on every node of the cluster with 4003 and answers 200 {"disconnected": n}, how many were told to
/// close (0 when none matched). Anonymous connections can be named by client only. A reachable node that does not
/// answer in time makes the answer 503 (the others' connections are closed all the same); one this node cannot
/// reach is not asked.
/// </summary>
public static class DisconnectEndpoint
{
    public static async Task<IResult> Handle(HttpRequest request, NotifySettings settings, ClusterNodes nodes)
    {
        var (body, rejected) = await RequestBody.ReadAsync(request, settings.Limits.MaxPublishBytes);
        if (body is null)
            return rejected!;
        var (user, client, error) = Parse(body);
        if (error is not null)
            return error;
        var (count, missing) = await DisconnectAsync(nodes, user, client);
        return missing ?? Results.Json(new DisconnectResult(count!.Value));
    }

    /// <summary>How many connections the nodes closed, or the 503 to answer when some did not say.</summary>
    internal static async Task<(int? Count, IResult? Missing)> DisconnectAsync(ClusterNodes nodes, string? user, string? client)
    {
        var answers = await nodes.AskEveryNodeAsync<ConnectionsSupervisor.ClientsDisconnected>(new ConnectionsSupervisor.DisconnectClients(user, client));
        var count = answers.Sum(a => a.Answer?.Count ?? 0);
        return answers.Any(a => a.IsMissing)
            ? (null, ApiError.NodesMissing(answers, $"; {count} connection(s) on the others were disconnected"))
            : (count, null);
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
