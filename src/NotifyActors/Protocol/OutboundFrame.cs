namespace NotifyActors.Protocol;

/// <summary>
/// One text frame waiting for a socket. <see cref="IsDelivery"/>: a publication (counted as a delivery once written).
/// A class, not a struct: the stream carries its elements as objects, so a struct would be boxed for
/// every frame, while a publication's frame is built once and shared by every subscriber
/// (<see cref="Channels.Publication.Delivery"/>).
/// </summary>
internal sealed record OutboundFrame(byte[] Bytes, bool IsDelivery);
