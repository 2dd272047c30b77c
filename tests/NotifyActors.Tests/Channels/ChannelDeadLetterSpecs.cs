using System.Text;
using Akka.Actor;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Channels;

/// <summary>
/// A connection may stop while a channel's answer to it is on its way (a subscribe then a reset).
/// Such answers are normal traffic: the dead-letter count is the leak signal, so they must not reach it.
/// </summary>
public sealed class ChannelDeadLetterSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly ChannelMember Member = new("client", "user");
    private readonly NotifyMetrics _metrics = new();
    private readonly DeadLetterRing _recent = new(10);
    private readonly IActorRef _channels;
    private readonly IActorRef _counter;

    public ChannelDeadLetterSpecs(ITestOutputHelper output) : base(SpecConfig.Defaults, output: output)
    {
        var settings = NotifySettings.Create(ConfigurationFactoryWith("notify.namespaces.chat { allow-client-publish = on, presence = on }"));
        _channels = SingleNode.StartChannels(Sys, settings, _metrics);
        _counter = Sys.ActorOf(DeadLetterCounter.Props(_metrics, _recent), "dead-letters");
    }

    [Fact]
    public void Answers_to_a_subscriber_that_has_stopped_are_not_counted_as_dead_letters()
    {
        // The counter subscribes to the event stream in PreStart: once it has answered, it counts.
        _counter.Tell(new Identify(null));
        ExpectMsg<ActorIdentity>();
        var gone = StoppedActor();

        _channels.Tell(new Subscribe("chat:room", 1, null, Member), gone);
        _channels.Tell(new Publish("chat:room", Encoding.UTF8.GetBytes("1")), gone);
        // The channel answers in order: once it has answered this, it has answered the two above.
        _channels.Tell(new PresenceQuery("chat:room", 1), TestActor);
        ExpectMsg<PresenceResult>();

        // A dead letter that does count, sent after the channel's answers: once it is counted, they were seen too.
        gone.Tell("a real dead letter", ActorRefs.NoSender);
        AwaitAssert(() => Assert.NotEqual(0, _metrics.DeadLetters), TimeSpan.FromSeconds(10));
        Assert.Equal(1, _metrics.DeadLetters);
        Assert.Equal(typeof(string).FullName, Assert.Single(_recent.Snapshot()).MessageType);
    }

    private IActorRef StoppedActor()
    {
        var actor = Sys.ActorOf(Props.Empty);
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        return actor;
    }

    private static Akka.Configuration.Config ConfigurationFactoryWith(string hocon) =>
        Akka.Configuration.ConfigurationFactory.ParseString(hocon).WithFallback(NotifyConfig.Defaults);

    protected override void AfterAll()
    {
        base.AfterAll();
        _metrics.Dispose();
    }
}
