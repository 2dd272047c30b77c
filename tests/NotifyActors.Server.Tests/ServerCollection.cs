namespace NotifyActors.Server.Tests;

/// <summary>
/// Every spec class of this project belongs to this one collection, so they run one at a time:
/// the OpenTelemetry exporter of a service listens to every Meter named "NotifyActors" in the
/// process, so two services alive at once would mix their /metrics numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerCollection
{
    public const string Name = "server";
}
