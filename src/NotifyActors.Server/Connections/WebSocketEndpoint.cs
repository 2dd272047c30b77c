using System.Net.WebSockets;
using Akka.Actor;
using Akka.Hosting;
using NotifyActors.Configuration;
using NotifyActors.Connections;
using NotifyActors.Protocol;
using NotifyActors.Server.Api;
using NotifyActors.Server.Auth;
using NotifyActors.Server.Operations;
using NotifyActors.Telemetry;

namespace NotifyActors.Server.Connections;

/// <summary>
/// The WebSocket endpoints: GET /ws (the native protocol) and GET /connection/websocket (Centrifugo's: JSON, or
/// Protobuf with the subprotocol centrifuge-protobuf). Each
/// checks the Origin (403) and the node's connection limit (503) before the upgrade, so that a refused request never
/// gets a socket; /ws also checks the token there (401), while a Centrifugo client presents it in its connect command.
/// Then it accepts the socket, hands it to a new subscriber actor speaking the endpoint's dialect, and waits for the
/// connection's end. The request lives exactly as long as the connection: returning earlier would let Kestrel reuse
/// what the actor still uses.
/// </summary>
public static class WebSocketEndpoint
{
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The path of the native endpoint; every other path mapped here speaks Centrifugo's protocol.</summary>
    public const string NativePath = "/ws";

    /// <summary>The subprotocol Centrifugo's Protobuf SDKs ask for; without it a client speaks JSON.</summary>
    public const string CentrifugoProtobufSubprotocol = "centrifuge-protobuf";

    private static IClientDialect DialectOf(HttpContext context)
    {
        if (context.Request.Path.Equals(NativePath, StringComparison.Ordinal))
            return ClientDialects.Native;
        return context.WebSockets.WebSocketRequestedProtocols.Contains(CentrifugoProtobufSubprotocol, StringComparer.Ordinal)
            ? ClientDialects.CentrifugoProtobuf
            : ClientDialects.CentrifugoJson;
    }

    public static async Task Handle(
        HttpContext context,
        ClientAuthenticator authenticator,
        NotifySettings settings,
        NotifyMetrics metrics,
        Readiness readiness,
        ConnectionSlots slots,
        ConnectionAdmission admission,
        IRequiredActor<ConnectionsSupervisor> connections)
    {
        var dialect = DialectOf(context);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiError.BadRequest("this endpoint takes WebSocket upgrades only").ExecuteAsync(context);
            return;
        }
        if (!readiness.IsReady)
        {
            await ApiError.Of(StatusCodes.Status503ServiceUnavailable, ErrorCodes.NotAvailable, "the server is draining; connect to another node")
                .ExecuteAsync(context);
            return;
        }
        var origin = context.Request.Headers.Origin.ToString();
        if (!settings.Security.AllowsOrigin(origin))
        {
            await ApiError.Of(StatusCodes.Status403Forbidden, ErrorCodes.PermissionDenied, $"origin '{origin}' is not allowed (notify.security.allowed-origins)")
                .ExecuteAsync(context);
            return;
        }
        if (!slots.TryTake())
        {
            await ApiError.Of(StatusCodes.Status503ServiceUnavailable, ErrorCodes.LimitExceeded, $"this node holds its limit of {slots.Limit} connections; retry later or connect to another node")
                .ExecuteAsync(context);
            return;
        }
        try
        {
            await AuthenticateAndServe(context, dialect, authenticator, settings, metrics, admission, connections);
        }
        finally
        {
            slots.Release();
        }
    }

    private static async Task AuthenticateAndServe(
        HttpContext context,
        IClientDialect dialect,
        ClientAuthenticator authenticator,
        NotifySettings settings,
        NotifyMetrics metrics,
        ConnectionAdmission admission,
        IRequiredActor<ConnectionsSupervisor> connections)
    {
        // A dialect that connects in band starts as nobody; its connect command names the user.
        var (identity, problem) = dialect.ConnectsInBand ? (new ClientIdentity("", null), null) : authenticator.Authenticate(context.Request);
        if (identity is null)
        {
            await ApiError.Of(StatusCodes.Status401Unauthorized, ErrorCodes.PermissionDenied, problem!).ExecuteAsync(context);
            return;
        }

        WebSocket socket;
        try
        {
            socket = await context.WebSockets.AcceptWebSocketAsync(dialect == ClientDialects.CentrifugoProtobuf ? CentrifugoProtobufSubprotocol : null);
        }
        catch (InvalidOperationException)
        {
            // Kestrel's own count of upgraded connections (its MaxConcurrentUpgradedConnections, the backstop
            // behind the slots) gives a connection back a moment after its request ends.
            await ApiError.Of(StatusCodes.Status503ServiceUnavailable, ErrorCodes.LimitExceeded, "this node holds its limit of connections; retry later or connect to another node")
                .ExecuteAsync(context);
            return;
        }
        using var owned = socket;
        admission.Upgraded(context.Connection.Id);
        metrics.ConnectionOpened();
        try
        {
            var lifetime = new ConnectionLifetime(socket, settings.Outbound.CloseTimeout);
            var info = new ClientInfo(
                ClientInfo.NewClientId(),
                identity.User,
                context.Connection.RemoteIpAddress?.ToString() ?? "",
                identity.ExpiresAt);
            try
            {
                await connections.ActorRef.Ask<ConnectionsSupervisor.Opened>(new ConnectionsSupervisor.Open(info, lifetime, dialect, authenticator), OpenTimeout);
            }
            catch (AskTimeoutException)
            {
                // No actor took the socket (the actor system is stopping): nobody else will close it.
                socket.Abort();
                return;
            }
            await lifetime.Completion;
        }
        finally
        {
            metrics.ConnectionClosed();
        }
    }
}
