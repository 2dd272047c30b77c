using Akka.Configuration;
using Akka.Dispatch;

namespace NotifyActors.Runtime;

/// <summary>Akka's factory for <see cref="InlineDispatcher"/>, named by <c>type</c> in its HOCON section.</summary>
public sealed class InlineDispatcherConfigurator : MessageDispatcherConfigurator
{
    private readonly InlineDispatcher _instance;

    public InlineDispatcherConfigurator(Config config, IDispatcherPrerequisites prerequisites) : base(config, prerequisites) =>
        _instance = new InlineDispatcher(this);

    public override MessageDispatcher Dispatcher() => _instance;
}
