using System.Buffers;
using Akka.Actor;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Runtime;
using NotifyActors.Telemetry;

namespace NotifyActors.Connections;

/// <summary>
/// One WebSocket connection, whatever protocol it speaks. Owns the socket (through <see cref="ConnectionLifetime"/>),
/// the read loop, the bounded outbound stream (its stream actor is this actor's child) and the heartbeat (a ping
/// timer, and ReceiveTimeout as the deadline for a sign of life). Whatever ends the connection, this actor stops, and
/// stopping reclaims all of it: the stream actor is its child, the timers are its own, the socket is closed with the
/// reason's code (or aborted), and the channels it belonged to drop it when they see it Terminated.
/// Its <see cref="IClientDialect"/> reads the client's commands and writes what the client is sent; it owns nothing.
/// A dialect that connects in band (Centrifugo) starts unauthenticated: only its connect command runs, then the
/// heartbeat starts (SubscriberActor.Connect.cs).
/// An UntypedActor: one is created per connection, and a ReceiveActor would build (and compile)
/// its handler table for every instance.
/// </summary>
public sealed partial class SubscriberActor : UntypedActor, IWithTimers
{
    private ClientInfo _info;
    private readonly ConnectionLifetime _lifetime;
    private readonly NotifySettings _settings;
    private readonly IActorRef _channels;
    private readonly NotifyMetrics _metrics;
    private readonly IClientDialect _dialect;
    private readonly ITokenAuthenticator? _tokens;
    private readonly Dictionary<string, Membership> _memberships = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _connectedSince = DateTimeOffset.UtcNow;
    private DateTimeOffset _lastSignOfLife = DateTimeOffset.UtcNow;
    private readonly FrameIntake _intake;
    // The commands of the frame being run and those the rate refused; reused frame after frame.
    private readonly List<DecodeResult> _admitted = [];
    private readonly List<DecodeResult> _refused = [];
    // Native connections are connected from the start; one that connects in band, once its connect is answered.
    private bool _connected;
    private OutboundQueue? _outbound;
    private Task _reader = Task.CompletedTask;
    private readonly InboundGate _inbound = new(InboundFrames);
    // Stopped from outside (the actor system shutting down) unless a reason is chosen first.
    private CloseReason _closeReason = CloseReason.ShuttingDown;
    private bool _stopping;
    private long _lastTicket;
    private long _lastRequest;
    // Publishes, presence and history queries on their way to a channel, by request number: what to answer.
    private readonly Dictionary<long, PendingAnswer> _pendingQueries = [];

    /// <param name="tokens">Checks the token of a dialect that connects in band; unused (null) for the native one.</param>
    public SubscriberActor(ClientInfo info, ConnectionLifetime lifetime, NotifySettings settings, IActorRef channels, NotifyMetrics metrics,
        IClientDialect dialect, ITokenAuthenticator? tokens)
    {
        _info = info;
        _lifetime = lifetime;
        _settings = settings;
        _channels = channels;
        _metrics = metrics;
        _dialect = dialect;
        _tokens = tokens;
        _intake = new FrameIntake(CommandRateLimiter.For(settings.Limits), dialect);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            // Publications first: they are most of the traffic.
            case Publication publication:
                OnPublication(publication);
                break;
            case ClientFrame frame:
                OnClientFrame(frame.Bytes);
                break;
            case SubscribeAck ack:
                OnSubscribeAck(ack);
                break;
            case PublishAck ack:
                OnPublishAck(ack);
                break;
            case PublishFailed failed:
                OnPublishFailed(failed);
                break;
            case PresenceResult result:
                OnPresenceResult(result);
                break;
            case HistoryResult result:
                OnHistoryResult(result);
                break;
            case MembershipEvent membershipEvent:
                OnMembershipEvent(membershipEvent);
                break;
            case SendPing:
                Send(_dialect.Ping);
                break;
            case ReceiveTimeout:
                _metrics.HeartbeatTimedOut();
                StopWith(CloseReason.HeartbeatTimeout);
                break;
            case ConnectDeadline:
                StopWith(CloseReason.NoConnect);
                break;
            case ReaderStopped stopped:
                StopWith(stopped.Reason);
                break;
            case WriterStopped stopped:
                OnWriterStopped(stopped);
                break;
            case Disconnect disconnect:
                StopWith(disconnect.Reason);
                break;
            case AnswerTimedOut timedOut:
                OnAnswerTimedOut(timedOut);
                break;
            case TokenExpired:
                StopWith(CloseReason.TokenExpired);
                break;
            case Terminated terminated:
                OnChannelTerminated(terminated);
                break;
            case ChannelReset reset:
                OnChannelReset(reset);
                break;
            case Describe:
                Sender.Tell(Describing());
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// The only child is the outbound stream actor. A stream that failed cannot be resumed, and it
    /// is never restarted: it stops, and its completion (WriterStopped) ends the connection.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    public static Props Props(ClientInfo info, ConnectionLifetime lifetime, NotifySettings settings, IActorRef channels, NotifyMetrics metrics,
        IClientDialect dialect, ITokenAuthenticator? tokens) =>
        DirectProps<SubscriberActor>.Create(() => new SubscriberActor(info, lifetime, settings, channels, metrics, dialect, tokens), CompactMailbox.Dispatcher);

    private Described Describing() =>
        new(_info.ClientId, _info.User, _info.RemoteAddress, [.. _memberships.Keys.Order(StringComparer.Ordinal)], _connectedSince,
            _outbound?.Frames ?? 0, _outbound?.Bytes ?? 0, _lastSignOfLife, _dialect.Name);

    protected override void PreStart()
    {
        _metrics.SubscriberStarted();
        try
        {
            Start();
        }
        catch (Exception)
        {
            _closeReason = CloseReason.InternalError;
            throw;
        }
    }

    private void Start()
    {
        _outbound = OutboundQueue.Materialize(_lifetime.Socket, _settings.Outbound, _metrics, Context, _dialect.BinaryFrames);
        _outbound.Completion.PipeTo(Self, success: () => new WriterStopped(null), failure: e => new WriterStopped(e));
        _reader = SocketReader.Run(_lifetime.Socket, _settings.Limits.MaxFrameBytes, Self, ArrayPool<byte>.Shared, _inbound, _dialect.BinaryFrames);
        if (_dialect.ConnectsInBand)
        {
            // A fixed deadline, which no frame extends: only a connect ends the wait.
            Timers.StartSingleTimer(ConnectDeadline.Instance, ConnectDeadline.Instance, _settings.Centrifugo.ConnectTimeout);
            return;
        }
        _connected = true;
        Send(_dialect.Welcome(_info.ClientId, _info.User, _settings.Heartbeat.AnnouncedSeconds)!);
        StartHeartbeat();
    }

    /// <summary>Pings and the deadline for a sign of life from now on, and the token's expiry (after a grace for clients that refresh it in band).</summary>
    private void StartHeartbeat()
    {
        Timers.Cancel(ConnectDeadline.Instance);
        Context.SetReceiveTimeout(_settings.Heartbeat.Deadline);
        Timers.StartPeriodicTimer("ping", SendPing.Instance, _settings.Heartbeat.Interval);
        ScheduleExpiry();
    }

    private void ScheduleExpiry()
    {
        if (TimeLeft() is not { } left)
        {
            Timers.Cancel("token-expiry");
            return;
        }
        var grace = _dialect.ConnectsInBand ? _settings.Centrifugo.ExpiryGrace : TimeSpan.Zero;
        // As durations: the expiry plus the grace may lie past the last date there is (a token valid until 9999).
        Timers.StartSingleTimer("token-expiry", TokenExpired.Instance, left + grace);
    }

    /// <summary>How long the connection's token is still valid; null when it never expires.</summary>
    private TimeSpan? TimeLeft() => _info.ExpiresAt is { } expiry ? Max(expiry - DateTimeOffset.UtcNow, TimeSpan.Zero) : null;

    /// <summary>An exception here stops the actor (the supervisor's strategy); the client learns it as 1011.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception)
        {
            _closeReason = CloseReason.InternalError;
            throw;
        }
    }

    protected override void PostStop()
    {
        _inbound.Shut();
        _outbound?.Dispose();
        _lifetime.Close(_dialect.Close(_closeReason), _reader);
        _metrics.SubscriberStopped();
    }

    /// <summary>Frames the read loop may hand over before this actor has taken them (<see cref="InboundGate"/>).</summary>
    private const int InboundFrames = 8;

    private void OnWriterStopped(WriterStopped stopped)
    {
        if (stopped.Error is WriteTimeoutException)
        {
            _metrics.SlowConsumerDisconnected();
            StopWith(CloseReason.SlowConsumer);
        }
        else
        {
            StopWith(CloseReason.ConnectionLost);
        }
    }

    private void Reply(long? id, string code, string message) => Reply(id, new ProtocolError(code, message));

    private void Reply(long? id, ProtocolError error) => Send(_dialect.Error(id, error));

    private void Send(byte[] frame) => Send(new OutboundFrame(frame, IsDelivery: false));

    private void Send(OutboundFrame frame)
    {
        if (_stopping || _outbound!.TryEnqueue(frame))
            return;
        _metrics.SlowConsumerDisconnected();
        StopWith(CloseReason.SlowConsumer);
    }

    private void StopWith(CloseReason reason)
    {
        if (_stopping)
            return;
        _stopping = true;
        _closeReason = reason;
        // Nothing the client sends matters any more: the read loop stops taking frames for this actor.
        _inbound.Shut();
        // A client that is gone, silent or not reading gets nothing more; any other close lets what is
        // already queued (the welcome, error replies, publications) reach it before the close frame.
        if (reason.Code is null || reason == CloseReason.SlowConsumer || reason == CloseReason.HeartbeatTimeout || _outbound is null)
        {
            Context.Stop(Self);
            return;
        }
        _outbound.Complete();
        Context.SetReceiveTimeout(null);
        Timers.CancelAll();
        Timers.StartSingleTimer("flush", FlushTimedOut.Instance, _settings.Outbound.CloseTimeout);
        Become(Flushing);
    }

    /// <summary>
    /// Closing: the outbound stream finishes what it holds (bounded by close-timeout), then the actor stops.
    /// Commands, publications and queries no longer matter to a connection that is closing.
    /// </summary>
    private void Flushing(object message)
    {
        if (message is WriterStopped or FlushTimedOut)
            Context.Stop(Self);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
