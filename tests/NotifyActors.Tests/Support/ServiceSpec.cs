using Akka.Actor;
using Akka.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Connections;
using NotifyActors.Telemetry;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Support;

/// <summary>
/// A TestKit spec with the service's actors (channel registry, connections supervisor) running over
/// the given notify settings, and real loopback sockets as connections. Each spec builds its own.
/// </summary>
public abstract class ServiceSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly List<IDisposable> _owned = [];

    protected ServiceSpec(string notifyHocon, ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(notifyHocon).WithFallback(SpecConfig.Defaults), output: output)
    {
        Settings = NotifySettings.Create(Sys.Settings.Config);
        Metrics = new NotifyMetrics();
        _owned.Add(Metrics);
        Channels = SingleNode.StartChannels(Sys, Settings, Metrics);
        Connections = Sys.ActorOf(ConnectionsSupervisor.Props(Settings, Channels, Metrics), "connections");
    }

    protected NotifySettings Settings { get; }

    protected NotifyMetrics Metrics { get; }

    protected IActorRef Channels { get; }

    protected IActorRef Connections { get; }

    /// <summary>A connected client whose subscriber actor the spec's TestActor watches. The welcome frame is already read.</summary>
    protected async Task<(TestClient Client, IActorRef Subscriber, ConnectionLifetime Lifetime)> ConnectAsync(string user = "", int? kernelBufferBytes = null)
    {
        var pair = await LoopbackSocketPair.OpenAsync(kernelBufferBytes);
        _owned.Add(pair);
        var lifetime = new ConnectionLifetime(pair.Server, Settings.Outbound.CloseTimeout);
        var info = new ClientInfo(ClientInfo.NewClientId(), user, "127.0.0.1", null);
        var opened = await Connections.Ask<ConnectionsSupervisor.Opened>(new ConnectionsSupervisor.Open(info, lifetime, ClientDialects.Native), TimeSpan.FromSeconds(10));
        Watch(opened.Subscriber);
        var welcome = await pair.Client.ReceiveAsync();
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
        return (pair.Client, opened.Subscriber, lifetime);
    }

    /// <summary>Subscribes and returns the subscribed reply's offset and epoch.</summary>
    protected static async Task<(long Offset, string Epoch)> SubscribeAsync(TestClient client, string channel, int id = 1)
    {
        await client.SendAsync($$"""{"op":"subscribe","id":{{id}},"channel":"{{channel}}"}""");
        var reply = await client.ReceiveSkippingPingsAsync();
        Assert.Equal("subscribed", reply.GetProperty("type").GetString());
        return (reply.GetProperty("offset").GetInt64(), reply.GetProperty("epoch").GetString()!);
    }

    protected Task<PublishAck> PublishAsync(string channel, string json) =>
        Channels.Ask<PublishAck>(new Publish(channel, System.Text.Encoding.UTF8.GetBytes(json)), TimeSpan.FromSeconds(10));

    protected override void AfterAll()
    {
        base.AfterAll();
        foreach (var owned in _owned)
            owned.Dispose();
    }
}
