namespace NotifyActors.Cluster;

/// <summary>
/// A message that may cross from one node to another: plain data, written by <see cref="ClusterMessageSerializer"/>
/// (bound to this interface in hocon/notify.hocon), never by Akka's default JSON serializer.
/// </summary>
public interface IClusterMessage;
