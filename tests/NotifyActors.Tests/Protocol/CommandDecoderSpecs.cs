using System.Text;
using NotifyActors.Protocol;
using Xunit;

namespace NotifyActors.Tests.Protocol;

public sealed class CommandDecoderSpecs
{
    [Theory]
    [InlineData("{not json", null, ErrorCodes.BadRequest)]
    [InlineData("[1,2]", null, ErrorCodes.BadRequest)]
    [InlineData("\"subscribe\"", null, ErrorCodes.BadRequest)]
    [InlineData("{\"id\":7}", 7L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":5,\"id\":7}", 7L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"dance\",\"id\":3}", 3L, ErrorCodes.UnknownOp)]
    [InlineData("{\"op\":\"subscribe\",\"id\":\"x\",\"channel\":\"a\"}", null, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"subscribe\",\"id\":-1,\"channel\":\"a\"}", null, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"subscribe\",\"id\":1.5,\"channel\":\"a\"}", null, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"subscribe\",\"id\":99999999999999999999999,\"channel\":\"a\"}", null, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"subscribe\",\"id\":2}", 2L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"subscribe\",\"id\":2,\"channel\":5}", 2L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"subscribe\",\"id\":2,\"channel\":\"bad channel!\"}", 2L, ErrorCodes.InvalidChannel)]
    [InlineData("{\"op\":\"subscribe\",\"id\":2,\"channel\":\"\"}", 2L, ErrorCodes.InvalidChannel)]
    [InlineData("{\"op\":\"subscribe\",\"id\":2,\"channel\":\"a\",\"recover\":{\"offset\":\"1\",\"epoch\":\"e\"}}", 2L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"publish\",\"id\":4,\"channel\":\"a\"}", 4L, ErrorCodes.BadRequest)]
    // Escaped lone surrogates: valid JSON, but no string .NET can hold.
    [InlineData("{\"op\":\"\\ud800\",\"id\":5}", 5L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"sub\\udc00scribe\",\"id\":5}", 5L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"subscribe\",\"id\":5,\"channel\":\"\\ud800\"}", 5L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"unsubscribe\",\"id\":5,\"channel\":\"a\\udfff\"}", 5L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"subscribe\",\"id\":5,\"channel\":\"a\",\"recover\":{\"offset\":1,\"epoch\":\"\\ud800\\ud800\"}}", 5L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"history\",\"id\":5,\"channel\":\"a\",\"since\":{\"offset\":1,\"epoch\":\"\\udbff\"}}", 5L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"subscribe\",\"id\":5,\"channel\":\"a\",\"recover\":{\"offset\":1,\"epoch\":7}}", 5L, ErrorCodes.BadRequest)]
    [InlineData("{\"op\":\"subscribe\",\"id\":5,\"channel\":\"bad\\x\"}", null, ErrorCodes.BadRequest)]
    public void A_bad_frame_becomes_a_documented_error_with_its_id_when_valid(string frame, long? id, string code)
    {
        var result = CommandDecoder.Decode(Encoding.UTF8.GetBytes(frame));

        Assert.Null(result.Command);
        Assert.Equal(id, result.Id);
        Assert.Equal(code, result.Error!.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
    }

    [Fact]
    public void Invalid_utf8_is_a_bad_request()
    {
        var result = CommandDecoder.Decode(new byte[] { (byte)'{', 0xff, 0xfe, (byte)'}' });

        Assert.Equal(ErrorCodes.BadRequest, result.Error!.Code);
    }

    [Fact]
    public void Deep_nesting_is_a_bad_request_not_a_crash()
    {
        var frame = "{\"op\":\"publish\",\"channel\":\"a\",\"data\":" + new string('[', 10_000) + new string(']', 10_000) + "}";

        Assert.Equal(ErrorCodes.BadRequest, CommandDecoder.Decode(Encoding.UTF8.GetBytes(frame)).Error!.Code);
    }

    [Fact]
    public void A_subscribe_with_recovery_keeps_the_position()
    {
        var result = CommandDecoder.Decode("""{"op":"subscribe","id":1,"channel":"chat:room","recover":{"offset":7,"epoch":"ab12"}}"""u8.ToArray());

        Assert.Equal(new SubscribeCommand(1, "chat:room", new RecoveryPosition(7, "ab12")), result.Command);
    }

    [Fact]
    public void A_publish_keeps_its_data_verbatim()
    {
        var result = CommandDecoder.Decode("""{"op":"publish","channel":"a","data":{"n":1.50,"s":"\u00e9"}}"""u8.ToArray());

        var publish = Assert.IsType<PublishCommand>(result.Command);
        Assert.Equal("""{"n":1.50,"s":"\u00e9"}""", Encoding.UTF8.GetString(publish.Data));
        Assert.Null(publish.Id);
    }

    [Fact]
    public void A_lone_surrogate_in_data_is_published_verbatim()
    {
        var result = CommandDecoder.Decode("""{"op":"publish","channel":"a","data":{"s":"\udc00"}}"""u8.ToArray());

        var publish = Assert.IsType<PublishCommand>(result.Command);
        Assert.Equal("""{"s":"\udc00"}""", Encoding.UTF8.GetString(publish.Data));
    }

    [Fact]
    public void A_lone_surrogate_in_a_field_name_is_a_bad_request()
    {
        var result = CommandDecoder.Decode("""{"\ud800":1,"op":"subscribe","channel":"a"}"""u8.ToArray());

        Assert.Equal(ErrorCodes.BadRequest, result.Error!.Code);
    }

    [Fact]
    public void A_pong_needs_nothing_else()
    {
        Assert.IsType<PongCommand>(CommandDecoder.Decode("""{"op":"pong"}"""u8.ToArray()).Command);
    }
}
