namespace NotifyActors.Protocol.Centrifugo;

/// <summary>
/// Centrifugo's codes (PROTOCOL.md section 7; centrifugal/centrifuge disconnect.go and errors.go), defined once for
/// both Centrifugo dialects: the close code and reason for each core close reason, the reply error code and message
/// for each core error code, and the codes of a server-side unsubscribe. Its SDKs decide from the code whether to
/// reconnect (3000-3499) or stop (3500-3999), and whether to retry a command (100 internal, 109 token expired).
/// </summary>
public static class CentrifugoCodes
{
    public const int Internal = 100;
    public const int Unauthorized = 101;
    public const int UnknownChannel = 102;
    public const int PermissionDenied = 103;
    public const int MethodNotFound = 104;
    public const int AlreadySubscribed = 105;
    public const int LimitExceeded = 106;
    public const int BadRequest = 107;
    public const int NotAvailable = 108;
    public const int TokenExpired = 109;
    public const int TooManyRequests = 111;
    public const int UnrecoverablePosition = 112;

    /// <summary>A server-side unsubscribe at or above 2500 makes the client subscribe again (with recovery).</summary>
    public const int InsufficientState = 2500;

    public static readonly CloseReason Shutdown = new(3001, "shutdown");
    public static readonly CloseReason InternalServerError = new(3004, "internal server error");
    public static readonly CloseReason Expired = new(3005, "expired");
    public static readonly CloseReason Slow = new(3008, "slow");
    public static readonly CloseReason NoPong = new(3012, "no pong");
    public static readonly CloseReason TooManyRequestsClose = new(3013, "too many requests");
    public static readonly CloseReason InvalidToken = new(3500, "invalid token");
    public static readonly CloseReason BadRequestClose = new(3501, "bad request");
    public static readonly CloseReason Stale = new(3502, "stale");
    public static readonly CloseReason ForceDisconnect = new(3503, "force disconnect");
    public static readonly CloseReason ConnectionLimit = new(3504, "connection limit");

    // Declared after the reasons it maps to: static fields initialize in order. The core reasons it lacks keep their
    // code: 1000 (the client closed), 1009 (a message too big: the SDK stops), none (the connection was lost).
    private static readonly Dictionary<CloseReason, CloseReason> Closes = new()
    {
        [CloseReason.ShuttingDown] = Shutdown,
        [CloseReason.HeartbeatTimeout] = NoPong,
        [CloseReason.SlowConsumer] = Slow,
        [CloseReason.Disconnected] = ForceDisconnect,
        [CloseReason.ConnectionLimit] = ConnectionLimit,
        [CloseReason.TokenExpired] = Expired,
        [CloseReason.InvalidToken] = InvalidToken,
        [CloseReason.NoConnect] = Stale,
        [CloseReason.CommandFlood] = TooManyRequestsClose,
        [CloseReason.InternalError] = InternalServerError,
        [CloseReason.MalformedCommand] = BadRequestClose,
        [CloseReason.BinaryFrame] = BadRequestClose,
        [CloseReason.TextFrame] = BadRequestClose,
        [CloseReason.TooManyFragments] = BadRequestClose,
    };

    /// <summary>What a Centrifugo client is sent for a core close reason.</summary>
    public static CloseReason Close(CloseReason reason) => Closes.GetValueOrDefault(reason, reason);

    /// <summary>The reply error code and message for a core error code; Centrifugo's SDKs show the message as it is.</summary>
    public static (int Code, string Message, bool Temporary) Error(string code) => code switch
    {
        ErrorCodes.Internal => (Internal, "internal server error", true),
        ErrorCodes.InvalidChannel => (UnknownChannel, "unknown channel", false),
        ErrorCodes.PermissionDenied => (PermissionDenied, "permission denied", false),
        ErrorCodes.UnknownOp => (MethodNotFound, "method not found", false),
        ErrorCodes.AlreadySubscribed => (AlreadySubscribed, "already subscribed", false),
        ErrorCodes.LimitExceeded => (LimitExceeded, "limit exceeded", false),
        ErrorCodes.NotAvailable => (NotAvailable, "not available", false),
        ErrorCodes.TokenExpired => (TokenExpired, "token expired", false),
        ErrorCodes.TooManyRequests => (TooManyRequests, "too many requests", false),
        ErrorCodes.UnrecoverablePosition => (UnrecoverablePosition, "unrecoverable position", false),
        _ => (BadRequest, "bad request", false),
    };
}
