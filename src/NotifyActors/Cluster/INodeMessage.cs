namespace NotifyActors.Cluster;

/// <summary>
/// A message between one node and another node's agent (<see cref="NodeAgent"/>): plain data, written by
/// <see cref="NodeMessageSerializer"/> (bound to this interface in hocon/notify.hocon). Kept apart from
/// <see cref="IClusterMessage"/> because Akka binds a type to the first binding it matches, not the most specific.
/// </summary>
public interface INodeMessage;
