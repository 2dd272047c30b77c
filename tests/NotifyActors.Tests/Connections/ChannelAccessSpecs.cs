using Akka.Configuration;
using NotifyActors.Configuration;
using NotifyActors.Connections;
using NotifyActors.Protocol;
using Xunit;

namespace NotifyActors.Tests.Connections;

/// <summary>Who may use which channel: namespaces, anonymous connections, user-limited channels.</summary>
public sealed class ChannelAccessSpecs
{
    private static readonly NotifySettings Settings = NotifySettings.Create(ConfigurationFactory.ParseString("""
        notify.namespaces {
          members { allow-anonymous = off }
          open { allow-user-limited = off }
        }
        """).WithFallback(NotifyConfig.Defaults));

    private static readonly ClientInfo Alice = new("c1", "alice", "127.0.0.1", null);
    private static readonly ClientInfo Anonymous = new("c2", "", "127.0.0.1", null);

    [Theory]
    [InlineData("news")]
    [InlineData("members:lobby")]
    [InlineData("chat#alice,bob")]
    [InlineData("members:chat#bob,alice")]
    public void A_signed_in_user_may_use_channels_of_known_namespaces_and_the_ones_limited_to_her(string channel)
    {
        var (ns, refusal) = ChannelAccess.Check(Settings, Alice, channel);

        Assert.Null(refusal);
        Assert.Equal(channel.StartsWith("members:", StringComparison.Ordinal) ? "members" : "default", ns?.Name);
    }

    [Fact]
    public void The_namespace_is_the_part_before_the_colon()
    {
        Assert.Equal("members", ChannelAccess.Check(Settings, Alice, "members:lobby").Namespace!.Name);
        Assert.Equal("default", ChannelAccess.Check(Settings, Alice, "lobby").Namespace!.Name);
    }

    [Theory]
    [InlineData("c2", "", "nowhere:lobby", ErrorCodes.InvalidChannel, "channel \"nowhere:lobby\" names an unknown namespace")]
    [InlineData("c2", "", "members:lobby", ErrorCodes.PermissionDenied, "anonymous connections may not use namespace \"members\"")]
    [InlineData("c1", "alice", "open:chat#alice", ErrorCodes.PermissionDenied, "user-limited channels are not allowed in namespace \"open\"")]
    [InlineData("c1", "alice", "chat#bob,carol", ErrorCodes.PermissionDenied, "channel \"chat#bob,carol\" is limited to other users")]
    [InlineData("c2", "", "chat#alice", ErrorCodes.PermissionDenied, "channel \"chat#alice\" is limited to other users")]
    public void Refusals_name_the_reason(string client, string user, string channel, string code, string message)
    {
        var (ns, refusal) = ChannelAccess.Check(Settings, new ClientInfo(client, user, "127.0.0.1", null), channel);

        Assert.Null(ns);
        Assert.Equal(new ProtocolError(code, message), refusal);
    }

    [Fact]
    public void An_anonymous_connection_may_use_namespaces_that_allow_it()
    {
        Assert.Null(ChannelAccess.Check(Settings, Anonymous, "news").Refusal);
        Assert.Null(ChannelAccess.Check(Settings, Anonymous, "open:news").Refusal);
    }
}
