namespace NotifyActors.Connections;

/// <summary>One text frame waiting for a socket. <see cref="IsDelivery"/>: a publication (counted as a delivery once written).</summary>
internal readonly record struct OutboundFrame(byte[] Bytes, bool IsDelivery);
