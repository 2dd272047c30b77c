using System.Data.Common;
using LinqToDB.Interceptors;

namespace NotifyActors.Server.Persistence;

/// <summary>
/// Runs on every SQLite connection the store opens: <c>synchronous = NORMAL</c>. In write-ahead-log mode
/// that still makes each commit durable against a crash of the process (kill -9): the commit is in the
/// log file before the journal answers. What it gives up is a commit in the last moments before the
/// operating system itself stops (power loss), in exchange for one fsync less per journal write.
/// The setting is per connection, hence the interceptor.
/// </summary>
public sealed class SqliteConnectionSetup : IConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;";

    public void ConnectionOpening(ConnectionEventData eventData, DbConnection connection)
    {
    }

    public Task ConnectionOpeningAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public void ConnectionOpened(ConnectionEventData eventData, DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public async Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
