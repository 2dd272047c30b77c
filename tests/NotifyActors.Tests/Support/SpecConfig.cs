using Akka.Configuration;
using NotifyActors.Configuration;

namespace NotifyActors.Tests.Support;

/// <summary>
/// The shipped defaults as actor specs run them: a spec's actor system, a cluster of one, stops without leaving the
/// cluster first (Akka's leave takes about two seconds of gossip rounds, for every spec), since no spec here is about
/// leaving; the service's own shutdown is exercised by the server specs.
/// </summary>
internal static class SpecConfig
{
    public static Config Defaults { get; } = ConfigurationFactory
        .ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off")
        .WithFallback(NotifyConfig.Defaults);
}
