namespace NotifyActors.Connections;

/// <summary>A socket write stayed pending past notify.outbound.write-timeout: the client is a slow consumer.</summary>
public sealed class WriteTimeoutException(TimeSpan timeout)
    : Exception($"a socket write was pending for more than {timeout.TotalSeconds:0.###} s");
