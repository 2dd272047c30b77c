using NotifyActors.Protocol.Centrifugo;

namespace NotifyActors.Protocol;

/// <summary>Every dialect the server speaks, each with its slot in a publication's frames.</summary>
public static class ClientDialects
{
    /// <summary>How many dialects there are: the size of a publication's frame slots.</summary>
    public const int Count = 3;

    public static readonly IClientDialect Native = NativeDialect.Instance;

    public static readonly IClientDialect CentrifugoJson = CentrifugoJsonDialect.Instance;

    public static readonly IClientDialect CentrifugoProtobuf = CentrifugoProtobufDialect.Instance;
}
