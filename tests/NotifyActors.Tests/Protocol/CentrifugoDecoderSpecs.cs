using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using NotifyActors.Protocol;
using NotifyActors.Protocol.Centrifugo;
using NotifyActors.Protocol.Centrifugo.Wire;
using Xunit;

namespace NotifyActors.Tests.Protocol;

/// <summary>Centrifugo's commands as both dialects decode them: the same core commands from JSON and Protobuf, and bad input as errors, never exceptions.</summary>
public sealed class CentrifugoDecoderSpecs
{
    [Fact]
    public void A_json_frame_of_several_commands_decodes_each_in_order()
    {
        var commands = DecodeJson(string.Join('\n',
            """{"id":1,"connect":{"token":"t","name":"js","subs":{},"flag":1}}""",
            """{"send":{"data":{"x":1}}}""",
            """{"id":2,"subscribe":{"channel":"chat:room","recover":true,"offset":14,"epoch":"e","flag":1}}""",
            """{"id":3,"history":{"channel":"chat:room","limit":5,"since":{"offset":2,"epoch":"e"},"reverse":true}}""",
            "{}",
            """{"id":4,"publish":{"channel":"chat:room","data":{"a":[1,2]}}}"""));

        Assert.Equal(new ConnectCommand(1, "t"), commands[0].Command);
        Assert.IsType<SendCommand>(commands[1].Command);
        Assert.Equal(new SubscribeCommand(2, "chat:room", new RecoveryPosition(14, "e")), commands[2].Command);
        Assert.Equal(new HistoryCommand(3, "chat:room", 5, new RecoveryPosition(2, "e"), HistoryOrder.Reverse), commands[3].Command);
        Assert.IsType<PongCommand>(commands[4].Command);
        var publish = Assert.IsType<PublishCommand>(commands[5].Command);
        Assert.Equal("""{"a":[1,2]}""", Encoding.UTF8.GetString(publish.Data));
        Assert.Equal(6, commands.Count);
    }

    [Fact]
    public void A_protobuf_frame_of_several_commands_decodes_to_the_same_commands_as_json()
    {
        var frame = Delimited(
            new Command { Id = 1, Connect = new ConnectRequest { Token = "t" } },
            new Command { Send = new SendRequest() },
            new Command { Id = 2, Subscribe = new SubscribeRequest { Channel = "chat:room", Recover = true, Offset = 14, Epoch = "e" } },
            new Command { Id = 3, History = new HistoryRequest { Channel = "chat:room", Limit = 5, Since = new StreamPosition { Offset = 2, Epoch = "e" }, Reverse = true } },
            new Command(),
            new Command { Id = 4, Publish = new PublishRequest { Channel = "chat:room", Data = ByteString.CopyFromUtf8("""{"a":[1,2]}""") } });

        var commands = Decode(ClientDialects.CentrifugoProtobuf, frame);

        Assert.Equal(new ConnectCommand(1, "t"), commands[0].Command);
        Assert.IsType<SendCommand>(commands[1].Command);
        Assert.Equal(new SubscribeCommand(2, "chat:room", new RecoveryPosition(14, "e")), commands[2].Command);
        Assert.Equal(new HistoryCommand(3, "chat:room", 5, new RecoveryPosition(2, "e"), HistoryOrder.Reverse), commands[3].Command);
        Assert.IsType<PongCommand>(commands[4].Command);
        Assert.Equal("""{"a":[1,2]}""", Encoding.UTF8.GetString(Assert.IsType<PublishCommand>(commands[5].Command).Data));
        Assert.Equal(6, commands.Count);
    }

    [Theory]
    [InlineData("not json", null, ErrorCodes.BadRequest)]
    [InlineData("[1]", null, ErrorCodes.BadRequest)]
    [InlineData("""{"id":-1,"subscribe":{"channel":"a"}}""", null, ErrorCodes.BadRequest)]
    [InlineData("""{"id":2,"subscribe":{}}""", 2L, ErrorCodes.BadRequest)]
    [InlineData("""{"id":2,"subscribe":"a"}""", 2L, ErrorCodes.BadRequest)]
    [InlineData("""{"id":2,"subscribe":{"channel":"\ud800"}}""", 2L, ErrorCodes.BadRequest)]
    [InlineData("""{"id":2,"subscribe":{"channel":"bad channel!"}}""", 2L, ErrorCodes.InvalidChannel)]
    [InlineData("""{"id":3,"publish":{"channel":"a"}}""", 3L, ErrorCodes.BadRequest)]
    [InlineData("""{"id":4,"history":{"channel":"a","limit":"5"}}""", 4L, ErrorCodes.BadRequest)]
    [InlineData("""{"id":5,"rpc":{"method":"m"}}""", 5L, ErrorCodes.UnknownOp)]
    [InlineData("""{"id":6,"sub_refresh":{"channel":"a"}}""", 6L, ErrorCodes.UnknownOp)]
    [InlineData("""{"id":7,"dance":{}}""", 7L, ErrorCodes.UnknownOp)]
    [InlineData("""{"id":8,"connect":{"token":5}}""", 8L, ErrorCodes.BadRequest)]
    [InlineData("""{"id":9,"refresh":{"token":["t"]}}""", 9L, ErrorCodes.BadRequest)]
    [InlineData("""{"id":0,"rpc":{}}""", null, ErrorCodes.UnknownOp)]
    public void A_bad_json_command_is_a_documented_error_with_its_id_when_readable(string frame, long? id, string code)
    {
        var decoded = Assert.Single(DecodeJson(frame));

        Assert.Equal((id, code), (decoded.Id, decoded.Error?.Code));
    }

    [Fact]
    public void A_malformed_json_command_ends_the_frame_since_the_connection_closes()
    {
        var commands = DecodeJson("""{"id":1,"subscribe":{"channel":"a"}}""" + "\n{oops\n" + """{"id":3,"subscribe":{"channel":"b"}}""");

        Assert.Equal(2, commands.Count);
        Assert.Equal(ErrorCodes.BadRequest, commands[1].Error?.Code);
    }

    [Fact]
    public void A_protobuf_publish_whose_data_is_not_json_and_bytes_that_are_not_protobuf_are_bad_requests()
    {
        var notJson = Decode(ClientDialects.CentrifugoProtobuf,
            Delimited(new Command { Id = 1, Publish = new PublishRequest { Channel = "a", Data = ByteString.CopyFrom(0xff, 0x00) } }));
        var notUtf8 = Decode(ClientDialects.CentrifugoProtobuf,
            Delimited(new Command { Id = 2, Publish = new PublishRequest { Channel = "a", Data = ByteString.CopyFrom(0x22, 0xff, 0xfe, 0x22) } }));
        var notProtobuf = Decode(ClientDialects.CentrifugoProtobuf, [0x05, 0x0a, 0xff]);

        Assert.Equal((1L, ErrorCodes.BadRequest), (Assert.Single(notJson).Id, notJson[0].Error?.Code));
        Assert.Equal((2L, ErrorCodes.BadRequest), (Assert.Single(notUtf8).Id, notUtf8[0].Error?.Code));
        Assert.Equal(ErrorCodes.BadRequest, Assert.Single(notProtobuf).Error?.Code);
    }

    [Theory]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0x07, 0x08 })] // a length of int.MaxValue
    [InlineData(new byte[] { 0xfb, 0xff, 0xff, 0xff, 0x07 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 })] // a varint longer than 5 bytes
    [InlineData(new byte[] { 0x08, 0x2a, 0xfb, 0xff, 0xff, 0xff, 0x07, 0x01, 0x02, 0x03 })] // a nested length of int.MaxValue - 4
    public void A_protobuf_length_that_lies_is_a_bad_request_not_an_exception(byte[] frame)
    {
        var decoded = Decode(ClientDialects.CentrifugoProtobuf, frame);

        Assert.Equal(ErrorCodes.BadRequest, decoded[^1].Error?.Code);
    }

    [Fact]
    public void Any_bytes_decode_to_at_least_one_command_or_error_in_either_dialect_without_throwing()
    {
        var json = Gen.Elements("{}", "{\"id\":1,\"connect\":{}}", "{\"id\":2,\"subscribe\":{\"channel\":\"a\"}}", "\\ud800", "\n", "{", "\"", "null")
            .ListOf().Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts)));
        var bytes = Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf();
        var frames = Gen.OneOf(json, bytes, bytes.Select(b => Delimited(new Command { Id = 1, Publish = new PublishRequest { Channel = "a", Data = ByteString.CopyFrom(b) } })));

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(Arb.From(frames), frame =>
            Answered(DecodeJson(frame)) && Answered(Decode(ClientDialects.CentrifugoProtobuf, frame))));
    }

    /// <summary>A frame becomes commands to run or errors to answer, at least one of either (none of these frames is a send).</summary>
    private static bool Answered(List<DecodeResult> decoded) => decoded.Count > 0 && decoded.All(d => d.Command is not null || d.Error is not null);

    private static List<DecodeResult> DecodeJson(string frame) => DecodeJson(Encoding.UTF8.GetBytes(frame));

    private static List<DecodeResult> DecodeJson(byte[] frame) => Decode(ClientDialects.CentrifugoJson, frame);

    private static List<DecodeResult> Decode(IClientDialect dialect, byte[] frame) => dialect.Decode(frame).ToList();

    private static byte[] Delimited(params Command[] commands)
    {
        using var stream = new MemoryStream();
        foreach (var command in commands)
            command.WriteDelimitedTo(stream);
        return stream.ToArray();
    }
}
