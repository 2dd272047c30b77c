namespace NotifyActors.Protocol;

/// <summary>
/// The error codes of error replies and server API errors (PROTOCOL.md section 1), defined once. The last four are
/// finer than the native contract: a dialect that tells them apart (Centrifugo's) answers each with its own code, and
/// the native dialect writes each as the contract's code beside it.
/// </summary>
public static class ErrorCodes
{
    public const string BadRequest = "bad_request";
    public const string UnknownOp = "unknown_op";
    public const string PermissionDenied = "permission_denied";
    public const string InvalidChannel = "invalid_channel";
    public const string LimitExceeded = "limit_exceeded";
    public const string NotAvailable = "not_available";
    public const string Internal = "internal";

    /// <summary>Natively bad_request.</summary>
    public const string AlreadySubscribed = "already_subscribed";

    /// <summary>Past the command rate; natively limit_exceeded.</summary>
    public const string TooManyRequests = "too_many_requests";

    /// <summary>A history position no longer kept; natively not_available.</summary>
    public const string UnrecoverablePosition = "unrecoverable_position";

    /// <summary>A connect command's token has expired (Centrifugo only: natively the upgrade is refused 401).</summary>
    public const string TokenExpired = "token_expired";
}
