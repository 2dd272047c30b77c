using Akka.Actor;
using NotifyActors.Connections;
using Xunit;

namespace NotifyActors.Tests.Connections;

public sealed class ConnectionIndexSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly ConnectionIndex _index = new();

    [Fact]
    public void Connections_are_counted_per_user_and_anonymous_ones_not_at_all()
    {
        Add("alice");
        Add("alice");
        Add("bob");
        Add("");
        Add("");

        Assert.Equal(2, _index.CountOf("alice"));
        Assert.Equal(1, _index.CountOf("bob"));
        Assert.Equal(0, _index.CountOf(""));
        Assert.Equal(0, _index.CountOf("carol"));
        Assert.Equal(5, _index.Count);
    }

    [Fact]
    public void A_removed_connection_no_longer_counts_and_a_second_remove_is_a_no_op()
    {
        var (first, firstInfo) = Add("alice");
        var (second, _) = Add("alice");

        Assert.True(_index.Remove(first));
        Assert.False(_index.Remove(first));

        Assert.Equal(1, _index.CountOf("alice"));
        Assert.Empty(_index.Matching(null, firstInfo.ClientId));
        Assert.Equal([second], _index.Matching("alice", null));
        Assert.True(_index.Remove(second));
        Assert.Equal(0, _index.CountOf("alice"));
        Assert.Equal(0, _index.Count);
    }

    [Fact]
    public void Matching_by_user_by_client_or_both()
    {
        var (alice1, aliceInfo) = Add("alice");
        var (alice2, _) = Add("alice");
        var (bob, bobInfo) = Add("bob");
        var (anonymous, anonymousInfo) = Add("");

        Assert.Equal(new HashSet<IActorRef> { alice1, alice2 }, _index.Matching("alice", null).ToHashSet());
        Assert.Equal([bob], _index.Matching(null, bobInfo.ClientId));
        Assert.Equal([anonymous], _index.Matching(null, anonymousInfo.ClientId));
        Assert.Equal([alice1], _index.Matching("alice", aliceInfo.ClientId));
        Assert.Empty(_index.Matching("bob", aliceInfo.ClientId));
        Assert.Empty(_index.Matching("", null));
        Assert.Empty(_index.Matching(null, null));
        Assert.Empty(_index.Matching("carol", null));
        Assert.Empty(_index.Matching(null, "no-such-client"));
    }

    private (IActorRef Actor, ClientInfo Info) Add(string user)
    {
        var actor = CreateTestProbe().Ref;
        var info = new ClientInfo(ClientInfo.NewClientId(), user, "127.0.0.1", null);
        _index.Add(actor, info);
        return (actor, info);
    }
}
