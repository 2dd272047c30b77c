using System.Net;
using Microsoft.AspNetCore.Connections;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;

namespace NotifyActors.Server.Connections;

/// <summary>
/// Admits TCP connections as Kestrel accepts them, before a byte is read (notify.tcp). A connection past
/// a limit is closed at once, which costs an accept and a close; letting it in would let connections
/// that never finish a request take every descriptor, and with them the health checks, the server API
/// and finally the process. The limits: the public listeners' share of the open-file limit, the
/// connections from one address that are not WebSockets (yet), and the admin listeners' share of the
/// reserve. Every listener's connection middleware calls it; it keeps counts only (the connections are
/// Kestrel's), and a connection leaves them when it closes, whatever ends it.
/// It also enforces notify.tcp.request-headers-timeout for a public connection's first request, each
/// connection with its own deadline between half and all of it, and aborts the late ones from a sweep
/// four times a second. Kestrel's own timeout (the same setting, for later requests on a kept-alive
/// connection) checks once a second and answers each late connection with a 408 and an exception: a
/// flood opened at once timed out at once, a spike of thousands of exceptions that held up deliveries.
/// The sweep's timer is this singleton's, stopped when the host disposes it.
/// </summary>
public sealed class ConnectionAdmission : IDisposable
{
    private static readonly TimeSpan RefusalLogInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(250);

    private readonly int? _publicLimit;
    private readonly int _adminLimit;
    private readonly int _perAddress;
    private readonly NotifyMetrics _metrics;
    private readonly ILogger<ConnectionAdmission> _log;
    private readonly Lock _lock = new();
    // Guarded by _lock. Only connections that are not WebSockets are in them: an idle WebSocket costs nothing here.
    private readonly Dictionary<IPAddress, int> _pendingByAddress = [];
    private readonly Dictionary<string, Pending> _pendingConnections = new(StringComparer.Ordinal);
    private readonly TimeSpan _headersTimeout;
    private readonly Timer _sweep;
    private int _public;
    private int _admin;
    private long _nextRefusalLog;

    /// <param name="publicLimit">Public connections at once (null: no limit); see <see cref="TcpSettings.PublicConnectionsWithin"/>.</param>
    public ConnectionAdmission(int? publicLimit, TcpSettings settings, NotifyMetrics metrics, ILogger<ConnectionAdmission> log)
    {
        _publicLimit = publicLimit;
        _adminLimit = settings.MaxAdminConnections;
        _perAddress = settings.MaxPendingPerAddress;
        _headersTimeout = settings.RequestHeadersTimeout;
        _metrics = metrics;
        _log = log;
        _sweep = new Timer(_ => Sweep(), null, SweepInterval, SweepInterval);
    }

    /// <summary>A connection that is not a WebSocket: its address (null when not counted), and until when its first request's headers may take (long.MaxValue once they came).</summary>
    private sealed class Pending(IPAddress? address, ConnectionContext connection, long deadline)
    {
        public IPAddress? Address { get; } = address;
        public ConnectionContext Connection { get; } = connection;
        public long Deadline { get; set; } = deadline;
    }

    public void Dispose() => _sweep.Dispose();

    /// <summary>A request of this connection has arrived whole: its headers are no longer awaited.</summary>
    public void RequestStarted(string connectionId)
    {
        lock (_lock)
        {
            if (_pendingConnections.TryGetValue(connectionId, out var pending))
                pending.Deadline = long.MaxValue;
        }
    }

    private void Sweep()
    {
        var now = Environment.TickCount64;
        List<ConnectionContext>? late = null;
        lock (_lock)
        {
            foreach (var pending in _pendingConnections.Values)
            {
                if (pending.Deadline < now)
                {
                    (late ??= []).Add(pending.Connection);
                    pending.Deadline = long.MaxValue;
                }
            }
        }
        foreach (var connection in late ?? [])
            connection.Abort(new ConnectionAbortedException("request headers timeout"));
    }

    /// <summary>The connection middleware of a public listener (notify.urls).</summary>
    public ConnectionDelegate Public(ConnectionDelegate next) => connection => AdmitPublicAsync(connection, next);

    /// <summary>The connection middleware of an admin listener (notify.admin.urls).</summary>
    public ConnectionDelegate Admin(ConnectionDelegate next) => connection => AdmitAdminAsync(connection, next);

    /// <summary>The connection of this request is a WebSocket now: it no longer counts against its address.</summary>
    public void Upgraded(string connectionId) => LeavePending(connectionId);

    private async Task AdmitPublicAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (!TryTake(ref _public, _publicLimit))
        {
            Refuse(MetricNames.TcpRefusal.NodeLimit);
            return;
        }
        try
        {
            if (!TryEnterPending(connection))
            {
                Refuse(MetricNames.TcpRefusal.AddressLimit);
                return;
            }
            _metrics.TcpConnectionOpened();
            try
            {
                await next(connection);
            }
            finally
            {
                LeavePending(connection.ConnectionId);
                _metrics.TcpConnectionClosed();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _public);
        }
    }

    private async Task AdmitAdminAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (!TryTake(ref _admin, _adminLimit))
        {
            Refuse(MetricNames.TcpRefusal.AdminLimit);
            return;
        }
        try
        {
            await next(connection);
        }
        finally
        {
            Interlocked.Decrement(ref _admin);
        }
    }

    private static bool TryTake(ref int count, int? limit)
    {
        if (Interlocked.Increment(ref count) <= (limit ?? int.MaxValue))
            return true;
        Interlocked.Decrement(ref count);
        return false;
    }

    private bool TryEnterPending(ConnectionContext connection)
    {
        IPAddress? address = null;
        if (_perAddress > 0 && connection.RemoteEndPoint is IPEndPoint { Address: var remote })
            address = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        // Each its own deadline, between half and all of the timeout: connections a flood opened together do not all time out at once.
        var deadline = Environment.TickCount64 + (long)(_headersTimeout.TotalMilliseconds * (0.5 + Random.Shared.NextDouble() / 2));
        lock (_lock)
        {
            if (address is not null)
            {
                var pending = _pendingByAddress.GetValueOrDefault(address);
                if (pending >= _perAddress)
                    return false;
                _pendingByAddress[address] = pending + 1;
            }
            _pendingConnections[connection.ConnectionId] = new Pending(address, connection, deadline);
            return true;
        }
    }

    private void LeavePending(string connectionId)
    {
        lock (_lock)
        {
            if (!_pendingConnections.Remove(connectionId, out var pending) || pending.Address is not { } address)
                return;
            var left = _pendingByAddress[address] - 1;
            if (left == 0)
                _pendingByAddress.Remove(address);
            else
                _pendingByAddress[address] = left;
        }
    }

    /// <summary>Counted always; logged at most once a minute, since a flood refused one by one would flood the log too.</summary>
    private void Refuse(string reason)
    {
        _metrics.TcpRefusedFor(reason);
        var now = Environment.TickCount64;
        var due = Volatile.Read(ref _nextRefusalLog);
        if (now < due || Interlocked.CompareExchange(ref _nextRefusalLog, now + (long)RefusalLogInterval.TotalMilliseconds, due) != due)
            return;
        _log.LogWarning(
            "Refused a TCP connection ({Reason}); {Refused} refused since start (notify_tcp_refused_total). Limits (notify.tcp, 0: none): {Public} public connections, {PerAddress} per address not yet WebSockets, {Admin} admin",
            reason, _metrics.TcpRefused, _publicLimit ?? 0, _perAddress, _adminLimit);
    }
}
