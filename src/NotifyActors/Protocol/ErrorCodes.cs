namespace NotifyActors.Protocol;

/// <summary>The error codes of error replies and server API errors (PROTOCOL.md section 1), defined once.</summary>
public static class ErrorCodes
{
    public const string BadRequest = "bad_request";
    public const string UnknownOp = "unknown_op";
    public const string PermissionDenied = "permission_denied";
    public const string InvalidChannel = "invalid_channel";
    public const string LimitExceeded = "limit_exceeded";
    public const string NotAvailable = "not_available";
    public const string Internal = "internal";
}
