using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// A connection that authenticates in band (Centrifugo): its connect command, which must come first and within
/// notify.centrifugo.connect-timeout (else it is closed as stale), and its refresh commands, which extend a token
/// before it expires.
/// The rest of the connection's life is in SubscriberActor.cs.
/// </summary>
public sealed partial class SubscriberActor
{
    private void OnConnect(ConnectCommand command)
    {
        var check = Check(command.Token);
        if (check.Problem == TokenProblem.Expired)
        {
            // Centrifugo's SDKs answer this one by fetching a fresh token and connecting again.
            Reply(command.Id, ErrorCodes.TokenExpired, "token expired");
            return;
        }
        if (check.Problem != TokenProblem.None)
        {
            // Terminal for the SDKs: a token refused at every try must not make them reconnect forever.
            StopWith(CloseReason.InvalidToken);
            return;
        }
        _connected = true;
        _info = _info with { User = check.User, ExpiresAt = check.ExpiresAt };
        // The parent counts it against its user's connection limit now that the user is known, and closes it past it.
        Context.Parent.Tell(new ConnectionsSupervisor.Authenticated(_info), Self);
        Send(_dialect.Connected(command.Id, _info.ClientId, _settings.Heartbeat.AnnouncedSeconds, TimeLeft(), refresh: false));
        StartHeartbeat();
    }

    private void OnRefresh(RefreshCommand command)
    {
        var check = Check(command.Token);
        if (check.Problem == TokenProblem.Expired)
        {
            Reply(command.Id, ErrorCodes.TokenExpired, "token expired");
            return;
        }
        if (check.Problem != TokenProblem.None || check.User != _info.User)
        {
            StopWith(CloseReason.InvalidToken);
            return;
        }
        _info = _info with { ExpiresAt = check.ExpiresAt };
        ScheduleExpiry();
        Send(_dialect.Connected(command.Id, _info.ClientId, _settings.Heartbeat.AnnouncedSeconds, TimeLeft(), refresh: true));
    }

    private TokenCheck Check(string? token) =>
        _tokens?.Check(string.IsNullOrEmpty(token) ? null : token) ?? TokenCheck.Refused(TokenProblem.Invalid);
}
