using NotifyActors.Protocol;
using NotifyActors.Server.Cluster;

namespace NotifyActors.Server.Api;

/// <summary>The server API's error body, {"error":{"code","message"}}, with its HTTP status.</summary>
public static class ApiError
{
    public static IResult Of(int status, string code, string message) =>
        Results.Json(new ErrorBody(new ErrorDetail(code, message)), statusCode: status);

    public static IResult Unauthorized() =>
        Of(StatusCodes.Status401Unauthorized, ErrorCodes.PermissionDenied, "missing or invalid API key (Authorization: apikey <key>)");

    public static IResult BadRequest(string message) => Of(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, message);

    /// <summary>503: what was asked (a channel's owner, a node) did not answer within notify.cluster.ask-timeout.</summary>
    public static IResult NoAnswer(string message) => Of(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Internal, message);

    /// <summary>503 for a cluster-wide answer that some nodes did not give in time.</summary>
    public static IResult NodesMissing<T>(IEnumerable<NodeAnswer<T>> answers, string consequence) where T : class =>
        NoAnswer($"node(s) {string.Join(", ", answers.Where(a => a.IsMissing).Select(a => a.Member.Address))} did not answer in time{consequence}");

    private sealed record ErrorBody(ErrorDetail Error);

    /// <summary>{"code","message"}: the inner object of an error body, also one broadcast result's "error".</summary>
    public sealed record ErrorDetail(string Code, string Message);
}
