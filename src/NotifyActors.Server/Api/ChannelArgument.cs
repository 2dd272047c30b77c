using NotifyActors.Configuration;
using NotifyActors.Protocol;

namespace NotifyActors.Server.Api;

/// <summary>A channel named in a server API request: a valid name in a configured namespace, or invalid_channel.</summary>
public static class ChannelArgument
{
    /// <summary>Why <paramref name="channel"/> cannot be used, or null when it can.</summary>
    public static string? Problem(string channel, NotifySettings settings) =>
        ChannelName.Validate(channel) ?? (settings.NamespaceOf(channel) is null ? $"channel \"{channel}\" names an unknown namespace" : null);

    /// <summary>The channel's namespace, or the 400 invalid_channel answer to give instead.</summary>
    public static (NamespaceSettings? Namespace, IResult? Rejection) Check(string channel, NotifySettings settings) =>
        Problem(channel, settings) is { } problem
            ? (null, ApiError.Of(StatusCodes.Status400BadRequest, ErrorCodes.InvalidChannel, problem))
            : (settings.NamespaceOf(channel), null);
}
