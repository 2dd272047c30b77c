using System.Text;
using BenchmarkDotNet.Attributes;
using NotifyActors.Protocol;

namespace NotifyActors.Micro;

/// <summary>Encoding the pub frame (once per publication) and decoding a client command (once per inbound frame).</summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private readonly byte[] _data = Encoding.UTF8.GetBytes("{\"t\":638700000000000000,\"i\":12345,\"p\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}");
    private readonly ReadOnlyMemory<byte> _subscribe = Encoding.UTF8.GetBytes("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news:sports\"}");
    private readonly ReadOnlyMemory<byte> _pong = Encoding.UTF8.GetBytes("{\"op\":\"pong\"}");

    [Benchmark]
    public byte[] EncodePublication() => ServerFrames.Publication("news:sports", 123456, _data);

    [Benchmark]
    public DecodeResult DecodeSubscribe() => CommandDecoder.Decode(_subscribe);

    [Benchmark]
    public DecodeResult DecodePong() => CommandDecoder.Decode(_pong);
}
