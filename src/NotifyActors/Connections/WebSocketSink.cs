using System.Net.WebSockets;
using Akka.Streams;
using Akka.Streams.Stage;
using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// The end of a connection's outbound stream: writes each frame to the socket, one at a time.
/// A write that completes at once (the usual case) costs no Task; a pending one is awaited through
/// an async callback and bounded by the write timeout, after which the stage fails with
/// <see cref="WriteTimeoutException"/>. Materializes the Task that completes when the stage stops.
/// The stage itself holds no connection: each materialization names its socket in a <see cref="Target"/>
/// attribute, so one fused blueprint serves every connection (see <see cref="OutboundQueue"/>).
/// </summary>
internal sealed class WebSocketSink : GraphStageWithMaterializedValue<SinkShape<OutboundFrame>, Task>
{
    private readonly Inlet<OutboundFrame> _in = new("WebSocketSink.in");

    public override SinkShape<OutboundFrame> Shape => new(_in);

    /// <summary>Where one materialization writes, in which kind of frame, how long a write may take, and whom to tell of each written frame.</summary>
    public sealed record Target(WebSocket Socket, WebSocketMessageType FrameType, TimeSpan WriteTimeout, Action<OutboundFrame> Written) : Attributes.IAttribute;

    public override ILogicAndMaterializedValue<Task> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var target = inheritedAttributes.GetAttribute<Target>(null)
            ?? throw new InvalidOperationException("WebSocketSink needs a WebSocketSink.Target attribute naming its socket");
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task>(new Logic(this, target, stopped), stopped.Task);
    }

    private sealed class Logic : TimerGraphStageLogic, IInHandler
    {
        private const string WriteTimer = "write-timeout";
        private readonly WebSocketSink _stage;
        private readonly Target _target;
        private readonly TaskCompletionSource _stopped;
        private Action<Exception?>? _writeCompleted;
        private OutboundFrame? _pending;
        private bool _writing;
        private bool _upstreamFinished;

        public Logic(WebSocketSink stage, Target target, TaskCompletionSource stopped) : base(stage.Shape)
        {
            _stage = stage;
            _target = target;
            _stopped = stopped;
            SetHandler(stage._in, this);
        }

        public override void PreStart()
        {
            _writeCompleted = GetAsyncCallback<Exception?>(OnWriteCompleted);
            Pull(_stage._in);
        }

        public override void PostStop() => _stopped.TrySetResult();

        public void OnPush()
        {
            var frame = Grab(_stage._in);
            var write = _target.Socket.SendAsync(new ReadOnlyMemory<byte>(frame.Bytes), _target.FrameType, endOfMessage: true, CancellationToken.None);
            if (write.IsCompletedSuccessfully)
            {
                write.GetAwaiter().GetResult();
                _target.Written(frame);
                Pull(_stage._in);
                return;
            }

            AwaitWrite(frame, write);
        }

        // Apart from OnPush: its lambda's captured state would otherwise be allocated on every push,
        // including the usual pushes whose write completes at once.
        private void AwaitWrite(OutboundFrame frame, ValueTask write)
        {
            _writing = true;
            _pending = frame;
            ScheduleOnce(WriteTimer, _target.WriteTimeout);
            var callback = _writeCompleted!;
            write.AsTask().ContinueWith(
                t => callback(t.Exception?.GetBaseException() ?? (t.IsCanceled ? new OperationCanceledException() : null)),
                TaskContinuationOptions.ExecuteSynchronously);
        }

        public void OnUpstreamFinish()
        {
            if (_writing)
                _upstreamFinished = true;
            else
                CompleteStage();
        }

        public void OnUpstreamFailure(Exception e) => Fail(e);

        protected override void OnTimer(object timerKey) => Fail(new WriteTimeoutException(_target.WriteTimeout));

        private void OnWriteCompleted(Exception? error)
        {
            CancelTimer(WriteTimer);
            _writing = false;
            if (error is not null)
            {
                Fail(error);
                return;
            }
            _target.Written(_pending!);
            if (_upstreamFinished)
                CompleteStage();
            else
                Pull(_stage._in);
        }

        private void Fail(Exception e)
        {
            _stopped.TrySetException(e);
            FailStage(e);
        }
    }
}
