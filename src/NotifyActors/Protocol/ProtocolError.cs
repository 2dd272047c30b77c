namespace NotifyActors.Protocol;

/// <summary>An error to answer a command with; the connection stays open.</summary>
public sealed record ProtocolError(string Code, string Message);
