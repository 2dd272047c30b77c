using Akka.Streams;
using Akka.Streams.Stage;
using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// The start of a connection's outbound stream: emits the frames offered to its materialized
/// <see cref="OutboundFeed"/>, in order, and completes after <see cref="OutboundFeed.Complete"/>
/// once every queued frame is out. Demand comes from <see cref="WebSocketSink"/>, one frame at a time.
/// </summary>
internal sealed class OutboundSource : GraphStageWithMaterializedValue<SourceShape<OutboundFrame>, OutboundFeed>
{
    private readonly Outlet<OutboundFrame> _out = new("OutboundSource.out");

    public override SourceShape<OutboundFrame> Shape => new(_out);

    public override ILogicAndMaterializedValue<OutboundFeed> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var feed = new OutboundFeed();
        return new LogicAndMaterializedValue<OutboundFeed>(new Logic(this, feed), feed);
    }

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly Outlet<OutboundFrame> _out;
        private readonly OutboundFeed _feed;

        public Logic(OutboundSource stage, OutboundFeed feed) : base(stage.Shape)
        {
            _out = stage._out;
            _feed = feed;
            // The feed sends the stream actor a wake that runs OnWake here (see OutboundFeed.Bind);
            // nothing is offered before the stream actor exists, so no wake can come too early.
            feed.Attach(this, _ => OnWake());
            SetHandler(_out, this);
        }

        public override void OnPull() => TryPush();

        private void OnWake()
        {
            if (IsAvailable(_out))
                TryPush();
        }

        private void TryPush()
        {
            switch (_feed.TryTake(out var frame))
            {
                case OutboundFeed.Take.Taken:
                    Push(_out, frame!);
                    break;
                case OutboundFeed.Take.Completed:
                    CompleteStage();
                    break;
            }
        }
    }
}
