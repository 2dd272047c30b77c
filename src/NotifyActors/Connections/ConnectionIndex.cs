using Akka.Actor;

namespace NotifyActors.Connections;

/// <summary>
/// The live connections of this node by user and by client id, kept by <see cref="ConnectionsSupervisor"/>
/// (one actor, so not thread-safe). It answers "how many connections has this user" for
/// notify.limits.max-connections-per-user and "which connections match" for POST /api/disconnect.
/// Anonymous connections (user "") are indexed by client only: they belong to no one.
/// </summary>
public sealed class ConnectionIndex
{
    private readonly Dictionary<IActorRef, ClientInfo> _byActor = [];
    private readonly Dictionary<string, HashSet<IActorRef>> _byUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _byClient = new(StringComparer.Ordinal);

    public int Count => _byActor.Count;

    /// <summary>Open connections of <paramref name="user"/>; always 0 for anonymous ("").</summary>
    public int CountOf(string user) => _byUser.TryGetValue(user, out var actors) ? actors.Count : 0;

    public void Add(IActorRef connection, ClientInfo info)
    {
        _byActor[connection] = info;
        _byClient[info.ClientId] = connection;
        if (info.IsAnonymous)
            return;
        if (!_byUser.TryGetValue(info.User, out var actors))
            _byUser[info.User] = actors = [];
        actors.Add(connection);
    }

    /// <summary>Forgets a connection; false when it was not (or no longer) indexed.</summary>
    public bool Remove(IActorRef connection)
    {
        if (!_byActor.Remove(connection, out var info))
            return false;
        _byClient.Remove(info.ClientId);
        if (_byUser.TryGetValue(info.User, out var actors) && actors.Remove(connection) && actors.Count == 0)
            _byUser.Remove(info.User);
        return true;
    }

    /// <summary>Every indexed connection, or only those of <paramref name="user"/> when it is given.</summary>
    public IReadOnlyList<IActorRef> Of(string? user) =>
        user is null ? [.. _byActor.Keys] : _byUser.TryGetValue(user, out var actors) ? [.. actors] : [];

    /// <summary>
    /// The connections of <paramref name="user"/> (non-empty) and/or with client id <paramref name="client"/>;
    /// given both, a connection must match both. Given neither, none.
    /// </summary>
    public IReadOnlyList<IActorRef> Matching(string? user, string? client)
    {
        if (client is not null)
        {
            return _byClient.TryGetValue(client, out var connection) && (user is null || _byActor[connection].User == user)
                ? [connection]
                : [];
        }
        if (string.IsNullOrEmpty(user) || !_byUser.TryGetValue(user, out var actors))
            return [];
        return [.. actors];
    }
}
