using System.Text;
using NotifyActors.Protocol;
using Xunit;

namespace NotifyActors.Tests.Protocol;

public sealed class ServerFramesSpecs
{
    [Fact]
    public void A_subscribed_reply_always_carries_recovered_and_publications_as_the_contract_shows()
    {
        var plain = Encoding.UTF8.GetString(ServerFrames.Subscribed(1, "news", 7, "e1", null, []));
        var recovered = Encoding.UTF8.GetString(ServerFrames.Subscribed(2, "news", 9, "e1", true, [(8L, "1"u8.ToArray()), (9L, "{\"a\":2}"u8.ToArray())]));

        Assert.Equal("""{"type":"subscribed","id":1,"channel":"news","offset":7,"epoch":"e1","recovered":false,"publications":[]}""", plain);
        Assert.Equal("""{"type":"subscribed","id":2,"channel":"news","offset":9,"epoch":"e1","recovered":true,"publications":[{"offset":8,"data":1},{"offset":9,"data":{"a":2}}]}""", recovered);
    }

    [Fact]
    public void A_publication_frame_embeds_the_data_verbatim()
    {
        var frame = Encoding.UTF8.GetString(ServerFrames.Publication("chat:room", 8, "{\"text\":\"h\\u00e9\"}"u8));

        Assert.Equal("""{"type":"pub","channel":"chat:room","offset":8,"data":{"text":"h\u00e9"}}""", frame);
    }
}
