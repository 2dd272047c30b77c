using NotifyActors.Configuration;
using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// Whether a connection may use a channel (subscribe, publish, presence, history): the channel's
/// namespace must exist; an anonymous connection only where the namespace allows anonymous use; a
/// user-limited channel (<c>name#alice,bob</c>) only where the namespace allows those, and only for
/// the users it names.
/// </summary>
internal static class ChannelAccess
{
    /// <summary>The channel's namespace, or the error the command is answered with.</summary>
    public static (NamespaceSettings? Namespace, ProtocolError? Refusal) Check(NotifySettings settings, ClientInfo client, string channel)
    {
        if (settings.NamespaceOf(channel) is not { } ns)
            return Refuse(ErrorCodes.InvalidChannel, $"channel \"{channel}\" names an unknown namespace");
        if (client.IsAnonymous && !ns.AllowAnonymous)
            return Refuse(ErrorCodes.PermissionDenied, $"anonymous connections may not use namespace \"{ns.Name}\"");
        if (ChannelName.AllowedUsers(channel) is { } users)
        {
            if (!ns.AllowUserLimited)
                return Refuse(ErrorCodes.PermissionDenied, $"user-limited channels are not allowed in namespace \"{ns.Name}\"");
            if (client.IsAnonymous || !users.Contains(client.User, StringComparer.Ordinal))
                return Refuse(ErrorCodes.PermissionDenied, $"channel \"{channel}\" is limited to other users");
        }
        return (ns, null);
    }

    private static (NamespaceSettings?, ProtocolError?) Refuse(string code, string message) => (null, new ProtocolError(code, message));
}
