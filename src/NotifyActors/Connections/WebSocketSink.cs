using System.Net.WebSockets;
using Akka.Streams;
using Akka.Streams.Stage;

namespace NotifyActors.Connections;

/// <summary>
/// The end of a connection's outbound stream: writes each frame to the socket, one at a time.
/// A write that completes at once (the usual case) costs no Task; a pending one is awaited through
/// an async callback and bounded by the write timeout, after which the stage fails with
/// <see cref="WriteTimeoutException"/>. Materializes the Task that completes when the stage stops.
/// </summary>
internal sealed class WebSocketSink(WebSocket socket, TimeSpan writeTimeout, Action<OutboundFrame> written)
    : GraphStageWithMaterializedValue<SinkShape<OutboundFrame>, Task>
{
    private readonly Inlet<OutboundFrame> _in = new("WebSocketSink.in");
    private readonly WebSocket _socket = socket;
    private readonly TimeSpan _writeTimeout = writeTimeout;
    private readonly Action<OutboundFrame> _written = written;

    public override SinkShape<OutboundFrame> Shape => new(_in);

    public override ILogicAndMaterializedValue<Task> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task>(new Logic(this, stopped), stopped.Task);
    }

    private sealed class Logic : TimerGraphStageLogic, IInHandler
    {
        private const string WriteTimer = "write-timeout";
        private readonly WebSocketSink _stage;
        private readonly TaskCompletionSource _stopped;
        private Action<Exception?>? _writeCompleted;
        private OutboundFrame _pending;
        private bool _writing;
        private bool _upstreamFinished;

        public Logic(WebSocketSink stage, TaskCompletionSource stopped) : base(stage.Shape)
        {
            _stage = stage;
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
            var write = _stage._socket.SendAsync(new ReadOnlyMemory<byte>(frame.Bytes), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            if (write.IsCompletedSuccessfully)
            {
                write.GetAwaiter().GetResult();
                _stage._written(frame);
                Pull(_stage._in);
                return;
            }

            _writing = true;
            _pending = frame;
            ScheduleOnce(WriteTimer, _stage._writeTimeout);
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

        protected override void OnTimer(object timerKey) => Fail(new WriteTimeoutException(_stage._writeTimeout));

        private void OnWriteCompleted(Exception? error)
        {
            CancelTimer(WriteTimer);
            _writing = false;
            if (error is not null)
            {
                Fail(error);
                return;
            }
            _stage._written(_pending);
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
