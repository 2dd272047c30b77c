using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Microsoft.Data.Sqlite;
using NotifyActors.Configuration;

namespace NotifyActors.Server.Persistence;

/// <summary>
/// Puts the journal and snapshot store of notify.persistence under the actor system: Akka.Persistence.Sql
/// for sqlite and postgres (tables created at start), Akka's in-memory plugins (hocon/notify.hocon) for memory.
/// </summary>
public static class ChannelStore
{
    public static AkkaConfigurationBuilder WithChannelStore(this AkkaConfigurationBuilder akka, PersistenceSettings settings)
    {
        switch (settings.Store)
        {
            case PersistenceStore.Sqlite:
                PrepareSqlite(settings.Connection);
                akka.WithSqlPersistence(new DataOptions()
                    .UseConnectionString(ProviderName.SQLiteMS, settings.Connection)
                    .UseInterceptor(new SqliteConnectionSetup()));
                // One process writes the file: more writers than one only wait on SQLite's lock.
                akka.AddHocon("akka.persistence.journal.sql.parallelism = 1", HoconAddMode.Prepend);
                break;
            case PersistenceStore.Postgres:
                akka.WithSqlPersistence(settings.Connection, ProviderName.PostgreSQL15);
                break;
            case PersistenceStore.Memory:
                break;
        }
        return akka;
    }

    /// <summary>
    /// Starts the journal and the snapshot store (Akka.Persistence owns them and stops them with the actor
    /// system), and warms their queries up with one recovery (<see cref="StoreWarmup"/>).
    /// </summary>
    public static void Start(ActorSystem system)
    {
        var persistence = Akka.Persistence.Persistence.Instance.Apply(system);
        persistence.JournalFor(null);
        persistence.SnapshotStoreFor(null);
        system.ActorOf(StoreWarmup.Props(), "store-warmup");
    }

    /// <summary>
    /// Creates the database file's folder (data/ on a fresh checkout), and switches the file to write-ahead
    /// logging, so that the journal's writes and the snapshot store's reads do not lock each other out.
    /// The mode is kept in the file; setting it again is harmless.
    /// </summary>
    private static void PrepareSqlite(string connectionString)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new SettingsException("NOTIFY_PERSISTENCE_CONNECTION", $"is not a SQLite connection string: {e.Message}");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        try
        {
            if (!string.IsNullOrEmpty(folder))
                Directory.CreateDirectory(folder);
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            command.ExecuteNonQuery();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException)
        {
            throw new SettingsException("NOTIFY_PERSISTENCE_CONNECTION", $"cannot open the SQLite database '{builder.DataSource}': {e.Message}");
        }
    }
}
