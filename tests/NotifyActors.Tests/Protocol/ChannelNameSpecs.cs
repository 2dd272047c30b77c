using NotifyActors.Protocol;
using Xunit;

namespace NotifyActors.Tests.Protocol;

public sealed class ChannelNameSpecs
{
    [Theory]
    [InlineData("news")]
    [InlineData("chat:room-1")]
    [InlineData("notifications#alice")]
    [InlineData("dialog#alice,bob")]
    [InlineData("a.b@c=d_e")]
    public void Valid_names_pass(string name) => Assert.Null(ChannelName.Validate(name));

    [Theory]
    [InlineData("")]
    [InlineData("with space")]
    [InlineData("slash/no")]
    [InlineData("é")]
    public void Invalid_names_say_why(string name) => Assert.NotNull(ChannelName.Validate(name));

    [Fact]
    public void A_name_of_255_bytes_passes_and_256_does_not()
    {
        Assert.Null(ChannelName.Validate(new string('a', 255)));
        Assert.NotNull(ChannelName.Validate(new string('a', 256)));
    }

    [Fact]
    public void User_limited_channels_list_their_users()
    {
        Assert.Equal(new[] { "alice", "bob" }, ChannelName.AllowedUsers("dialog#alice,bob")!);
        Assert.Null(ChannelName.AllowedUsers("news"));
    }
}
