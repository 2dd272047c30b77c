namespace NotifyActors.Protocol;

/// <summary>Why a connection ends: the close code sent to the client, or none when the socket is aborted.</summary>
public sealed record CloseReason(int? Code, string Text)
{
    public static readonly CloseReason ClientClosed = new(CloseCodes.Normal, "");
    public static readonly CloseReason ConnectionLost = new(null, "connection lost");
    public static readonly CloseReason ShuttingDown = new(CloseCodes.GoingAway, "server shutting down");
    public static readonly CloseReason MessageTooBig = new(CloseCodes.MessageTooBig, "frame too large");
    public static readonly CloseReason HeartbeatTimeout = new(CloseCodes.HeartbeatTimeout, "no sign of life");
    public static readonly CloseReason SlowConsumer = new(CloseCodes.SlowConsumer, "slow consumer");
    public static readonly CloseReason BinaryFrame = new(CloseCodes.ProtocolViolation, "binary frames are not supported");
    public static readonly CloseReason TooManyFragments = new(CloseCodes.ProtocolViolation, "a message in too many fragments");
    public static readonly CloseReason CommandFlood = new(CloseCodes.ProtocolViolation, "too many commands over the rate limit");
    public static readonly CloseReason Disconnected = new(CloseCodes.Disconnected, "disconnected");
    public static readonly CloseReason ConnectionLimit = new(CloseCodes.ConnectionLimit, "connection limit reached");
    public static readonly CloseReason TokenExpired = new(CloseCodes.TokenExpired, "token expired");
    public static readonly CloseReason InternalError = new(CloseCodes.InternalError, "internal error");

    // Reasons of dialects that connect in band (Centrifugo), which write them with their own codes; a native
    // connection, authenticated at the upgrade, never meets them.
    public static readonly CloseReason MalformedCommand = new(CloseCodes.ProtocolViolation, "malformed command");
    public static readonly CloseReason InvalidToken = new(CloseCodes.ProtocolViolation, "invalid token");
    public static readonly CloseReason NoConnect = new(CloseCodes.HeartbeatTimeout, "no connect command in time");
    public static readonly CloseReason TextFrame = new(CloseCodes.ProtocolViolation, "text frames are not supported");
}
