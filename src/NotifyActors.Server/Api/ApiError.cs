using NotifyActors.Protocol;

namespace NotifyActors.Server.Api;

/// <summary>The server API's error body, {"error":{"code","message"}}, with its HTTP status.</summary>
public static class ApiError
{
    public static IResult Of(int status, string code, string message) =>
        Results.Json(new ErrorBody(new ErrorDetail(code, message)), statusCode: status);

    public static IResult Unauthorized() =>
        Of(StatusCodes.Status401Unauthorized, ErrorCodes.PermissionDenied, "missing or invalid API key (Authorization: apikey <key>)");

    public static IResult BadRequest(string message) => Of(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, message);

    private sealed record ErrorBody(ErrorDetail Error);

    /// <summary>{"code","message"}: the inner object of an error body, also one broadcast result's "error".</summary>
    public sealed record ErrorDetail(string Code, string Message);
}
