using Akka.Actor;
using NotifyActors.Channels;

namespace NotifyActors.Server.Api;

/// <summary>
/// One publication through the server API (POST /api/publish, each channel of POST /api/broadcast): the channel's
/// owner takes it, wherever in the cluster it lives, or says why not, or does not answer in time.
/// </summary>
public static class Publishing
{
    public const string NoAnswer = "the channel did not answer in time; the publication may or may not have been accepted";

    /// <summary>The owner's <see cref="PublishAck"/>, or why the publication was not taken (503 for a single publish).</summary>
    public static async Task<(PublishAck? Ack, string? Failure)> PublishAsync(IActorRef channels, string channel, byte[] data, TimeSpan timeout)
    {
        try
        {
            return await channels.Ask<object>(new Publish(channel, data), timeout) switch
            {
                PublishAck ack => (ack, null),
                PublishFailed failed => (null, failed.Reason),
                var other => throw new InvalidOperationException($"unexpected answer to a publish: {other.GetType()}"),
            };
        }
        catch (AskTimeoutException)
        {
            return (null, NoAnswer);
        }
    }
}
