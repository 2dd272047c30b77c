namespace NotifyActors.Server.Operations;

/// <summary>Whether the service takes new connections: true from start until a drain begins.</summary>
public sealed class Readiness
{
    private volatile bool _draining;

    public bool IsReady => !_draining;

    public void BeginDrain() => _draining = true;
}
