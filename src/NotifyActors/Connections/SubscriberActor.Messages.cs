using Akka.Actor;
using Akka.Event;
using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>The messages a <see cref="SubscriberActor"/> handles, and its per-channel state.</summary>
public sealed partial class SubscriberActor
{
    /// <summary>One complete text message from the client: a sign of life.</summary>
    internal sealed record ClientFrame(byte[] Bytes) : IDeadLetterSuppression;

    /// <summary>The read loop ended; it may arrive after the actor stopped (the client's reply to our close).</summary>
    internal sealed record ReaderStopped(CloseReason Reason) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;

    /// <summary>The outbound stream stopped; Error is null when it completed normally.</summary>
    internal sealed record WriterStopped(Exception? Error) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;

    /// <summary>Close this connection with the reason's code (server API, operator, drain).</summary>
    public sealed record Disconnect(CloseReason Reason) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;

    /// <summary>
    /// The admin API asks who this connection is (answered with <see cref="Described"/>). Not a sign of
    /// life: an operator looking must not keep a silent connection open.
    /// </summary>
    public sealed record Describe : INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly Describe Instance = new();
    }

    /// <summary>
    /// A connection as the admin API shows it; Channels includes subscriptions still awaiting their channel.
    /// QueueFrames/QueueBytes: its outbound queue now. LastSignOfLife: its last frame from the client (or the connect).
    /// Protocol: the dialect it speaks (<see cref="IClientDialect.Name"/>).
    /// An answer after the query's timeout finds the query gone: expected, not a leak.
    /// </summary>
    public sealed record Described(
        string ClientId,
        string User,
        string RemoteAddress,
        IReadOnlyList<string> Channels,
        DateTimeOffset ConnectedSince,
        long QueueFrames = 0,
        long QueueBytes = 0,
        DateTimeOffset? LastSignOfLife = null,
        string Protocol = "native") : IDeadLetterSuppression;

    private sealed record SendPing : INotInfluenceReceiveTimeout
    {
        public static readonly SendPing Instance = new();
    }

    private sealed record FlushTimedOut
    {
        public static readonly FlushTimedOut Instance = new();
    }

    /// <summary>A connection that connects in band was not connected in time (notify.centrifugo.connect-timeout).</summary>
    private sealed record ConnectDeadline : INotInfluenceReceiveTimeout
    {
        public static readonly ConnectDeadline Instance = new();
    }

    private sealed record TokenExpired : INotInfluenceReceiveTimeout
    {
        public static readonly TokenExpired Instance = new();
    }

    /// <param name="recoverable">The channel's namespace keeps history (resolved once, when the client subscribed).</param>
    private sealed class Membership(long ticket, long? pendingId, bool recoverable)
    {
        public long Ticket { get; } = ticket;
        public bool Recoverable { get; } = recoverable;
        public long? PendingId { get; set; } = pendingId;
        public IActorRef? Channel { get; set; }
        public long Offset { get; set; }
        public string Epoch { get; set; } = "";
    }
}
