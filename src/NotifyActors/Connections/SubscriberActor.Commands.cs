using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// A client frame as a <see cref="SubscriberActor"/> takes it: through the command rate (<see cref="FrameIntake"/>),
/// decoded by the connection's dialect into commands, each run in order until one closes the connection. What each
/// command does is in SubscriberActor.Channels.cs and SubscriberActor.Connect.cs.
/// </summary>
public sealed partial class SubscriberActor
{
    private void OnClientFrame(byte[] frame)
    {
        _inbound.Left();
        _lastSignOfLife = DateTimeOffset.UtcNow;
        var outcome = _intake.Take(frame, _admitted, _refused);
        if (outcome.Admission == CommandAdmission.Abusive)
        {
            StopWith(CloseReason.CommandFlood);
            return;
        }
        if (!_connected && _admitted.Count == 0)
        {
            // In band, a connection's first frame must start with its connect; one refused by the rate cannot.
            StopWith(CloseReason.MalformedCommand);
            return;
        }
        if (outcome.RefusedUnread)
        {
            RefuseOverRate(null);
            return;
        }
        foreach (var decoded in _admitted)
        {
            Run(decoded);
            if (_stopping)
                return;
        }
        foreach (var refused in _refused)
        {
            if (refused.Command is not (PongCommand or SendCommand))
                RefuseOverRate(refused.Id);
        }
    }

    private void RefuseOverRate(long? id) =>
        Reply(id, ErrorCodes.TooManyRequests, $"more than {_settings.Limits.CommandRate} commands per second (burst {_settings.Limits.CommandBurst}); slow down");

    private void Run(DecodeResult decoded)
    {
        if (!_connected)
        {
            // In band, the first command must be the connect.
            if (decoded.Command is ConnectCommand connect)
                OnConnect(connect);
            else
                StopWith(CloseReason.MalformedCommand);
            return;
        }
        if (decoded.Error is { } error)
        {
            if (_dialect.ClosesOnMalformed && error.Code == ErrorCodes.BadRequest)
                StopWith(CloseReason.MalformedCommand);
            else
                Reply(decoded.Id, error);
            return;
        }
        switch (decoded.Command)
        {
            case SubscribeCommand subscribe:
                OnSubscribe(subscribe);
                break;
            case UnsubscribeCommand unsubscribe:
                OnUnsubscribe(unsubscribe);
                break;
            case PublishCommand publish:
                OnPublish(publish);
                break;
            case PresenceCommand presence:
                OnPresence(presence.Id, presence.Channel, stats: false);
                break;
            case PresenceStatsCommand stats:
                OnPresence(stats.Id, stats.Channel, stats: true);
                break;
            case HistoryCommand history:
                OnHistory(history);
                break;
            case RefreshCommand refresh:
                OnRefresh(refresh);
                break;
            case ConnectCommand:
                // Connected already: a second connect is a broken client.
                StopWith(CloseReason.MalformedCommand);
                break;
            case PongCommand or SendCommand:
                break;
        }
    }
}
