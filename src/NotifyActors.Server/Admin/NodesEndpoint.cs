using Akka.Cluster;
using NotifyActors.Cluster;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Server.Api;
using NotifyActors.Server.Cluster;

namespace NotifyActors.Server.Admin;

/// <summary>
/// The cluster as the admin API shows it, as pbm's "cluster show" does: GET /admin/nodes, every member with its status,
/// roles and reachability and, from each that answers, its figures, with their sum; POST /admin/leave {"node"}, a
/// member told to leave (it hands its channels off, closes its sockets with 1001 and exits, as on SIGTERM).
/// </summary>
public static class NodesEndpoint
{
    public static async Task<IResult> Nodes(ClusterNodes nodes)
    {
        var answers = await nodes.AskEveryNodeAsync<NodeStats>(NodeStatsQuery.Instance);
        var rows = answers.Select(a => new NodeRow(
            a.Member.Address.ToString(),
            a.Member.Node,
            Status(a.Member.Status),
            [.. a.Member.Roles.Order(StringComparer.Ordinal)],
            a.Member.Reachable,
            a.Member.IsSelf,
            a.Answer is { } stats ? StatsResponse.Of(stats) : null)).ToList();
        var answered = answers.Where(a => a.Answer is not null).Select(a => (a.Member.Node, a.Answer!)).ToList();
        return Results.Json(new NodesResponse(rows, rows.Count(r => !r.Reachable), StatsResponse.Sum(answered)), AdminEndpoints.Json);
    }

    public static async Task<IResult> Leave(HttpRequest request, NotifySettings settings, ClusterNodes nodes)
    {
        var (body, rejected) = await RequestBody.ReadAsync(request, settings.Limits.MaxPublishBytes);
        if (body is null)
            return rejected!;
        var node = JsonBody.Read(body, root =>
            root.TryGetProperty("node", out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null,
            _ => null);
        if (string.IsNullOrWhiteSpace(node))
            return AdminEndpoints.Error(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, "give \"node\": a member's host:port or address (see GET /admin/nodes)");
        return await nodes.LeaveAsync(node) is { } address
            ? Results.Json(new LeaveResponse(address.ToString()), AdminEndpoints.Json)
            : AdminEndpoints.Error(StatusCodes.Status404NotFound, ErrorCodes.BadRequest, $"no member at '{node}' (see GET /admin/nodes)");
    }

    private static string Status(MemberStatus status) => status.ToString().ToLowerInvariant();

    private sealed record NodesResponse(IReadOnlyList<NodeRow> Nodes, int Unreachable, StatsResponse Total);

    /// <summary>Stats null: not asked (unreachable, or no longer serving) or no answer in time.</summary>
    private sealed record NodeRow(string Address, string Node, string Status, IReadOnlyList<string> Roles, bool Reachable, bool Self, StatsResponse? Stats);

    private sealed record LeaveResponse(string Leaving);
}
