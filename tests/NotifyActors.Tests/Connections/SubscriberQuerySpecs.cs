using Akka.Actor;
using NotifyActors.Connections;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

public sealed class SubscriberQuerySpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Fact]
    public void A_query_filters_by_channel_caps_at_its_limit_and_orders_by_connection_time()
    {
        var connections = Enumerable.Range(0, 3).Select(_ => CreateTestProbe()).ToList();
        var query = new ConnectionsSupervisor.ListSubscribers(null, "news", 1, TimeSpan.FromSeconds(5));

        Sys.ActorOf(SubscriberQuery.Props([.. connections.Select(probe => probe.Ref)], query, TestActor));
        for (var i = 0; i < connections.Count; i++)
        {
            connections[i].ExpectMsg<SubscriberActor.Describe>();
            var channels = i == 2 ? new[] { "sport" } : new[] { "news" };
            connections[i].Reply(new SubscriberActor.Described($"c{i}", "alice", "127.0.0.1", channels, DateTimeOffset.UnixEpoch.AddSeconds(10 - i)));
        }

        var result = ExpectMsg<SubscriberQuery.Result>();
        Assert.True(result.Complete);
        Assert.Equal(2, result.Matched);
        Assert.Equal("c1", Assert.Single(result.Subscribers).ClientId);
    }

    [Fact]
    public void A_connection_that_does_not_answer_leaves_the_result_incomplete_after_the_timeout()
    {
        var answering = CreateTestProbe();
        var silent = CreateTestProbe();
        var query = new ConnectionsSupervisor.ListSubscribers(null, null, 10, TimeSpan.FromMilliseconds(300));

        var queryActor = Sys.ActorOf(SubscriberQuery.Props([answering.Ref, silent.Ref], query, TestActor));
        Watch(queryActor);
        answering.ExpectMsg<SubscriberActor.Describe>();
        answering.Reply(new SubscriberActor.Described("c1", "", "127.0.0.1", [], DateTimeOffset.UtcNow));

        var result = ExpectMsg<SubscriberQuery.Result>(TimeSpan.FromSeconds(5));
        Assert.False(result.Complete);
        Assert.Equal("c1", Assert.Single(result.Subscribers).ClientId);
        ExpectTerminated(queryActor);
    }

    [Fact]
    public void A_query_with_no_connections_answers_at_once()
    {
        Sys.ActorOf(SubscriberQuery.Props([], new ConnectionsSupervisor.ListSubscribers("bob", null, 10, TimeSpan.FromSeconds(30)), TestActor));

        var result = ExpectMsg<SubscriberQuery.Result>(TimeSpan.FromSeconds(2));
        Assert.True(result.Complete);
        Assert.Empty(result.Subscribers);
    }
}
