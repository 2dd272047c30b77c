namespace NotifyActors.Protocol;

/// <summary>Either a command or the error to answer the frame with (with the frame's id when it had a valid one).</summary>
public readonly record struct DecodeResult(ClientCommand? Command, long? Id, ProtocolError? Error)
{
    public static DecodeResult Ok(ClientCommand command) => new(command, command.Id, null);

    public static DecodeResult Fail(long? id, string code, string message) => new(null, id, new ProtocolError(code, message));
}
