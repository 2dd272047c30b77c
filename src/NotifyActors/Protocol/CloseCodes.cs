using System.Net.WebSockets;

namespace NotifyActors.Protocol;

/// <summary>Every WebSocket close code the server sends (PROTOCOL.md section 1), defined once.</summary>
public static class CloseCodes
{
    public const int Normal = 1000;
    public const int GoingAway = 1001;
    public const int MessageTooBig = 1009;
    public const int InternalError = 1011;
    public const int HeartbeatTimeout = 4000;
    public const int SlowConsumer = 4001;
    public const int ProtocolViolation = 4002;
    public const int Disconnected = 4003;
    public const int ConnectionLimit = 4004;
    public const int TokenExpired = 4005;

    public static WebSocketCloseStatus Status(int code) => (WebSocketCloseStatus)code;
}
