namespace NotifyActors.Configuration;

/// <summary>Where channels in namespaces with history keep their epoch, offsets and history (notify.persistence).</summary>
public enum PersistenceStore
{
    /// <summary>SQLite, one file, the default: for a single node.</summary>
    Sqlite,

    /// <summary>PostgreSQL: the store a cluster shares.</summary>
    Postgres,

    /// <summary>In the process only: nothing survives a restart.</summary>
    Memory,
}

/// <summary>notify.persistence: the store and its connection string.</summary>
/// <param name="Connection">The store's connection string; for SQLite, empty means <see cref="DefaultSqliteConnection"/>.</param>
public sealed record PersistenceSettings(PersistenceStore Store, string Connection)
{
    /// <summary>Relative to the working directory, created (with its folder) on first start.</summary>
    public const string DefaultSqliteConnection = "Data Source=data/notify.db";

    internal static PersistenceSettings Create(ConfigReader section)
    {
        var store = section.String("store").Trim().ToLowerInvariant() switch
        {
            "sqlite" => PersistenceStore.Sqlite,
            "postgres" or "postgresql" => PersistenceStore.Postgres,
            "memory" => PersistenceStore.Memory,
            var other => throw new SettingsException(section.Path("store"), $"expected sqlite, postgres or memory (got '{other}')"),
        };
        var connection = section.String("connection").Trim();
        if (store == PersistenceStore.Postgres && connection.Length == 0)
            throw new SettingsException(section.Path("connection"), "is required with the postgres store (NOTIFY_PERSISTENCE_CONNECTION)");
        if (store == PersistenceStore.Sqlite && connection.Length == 0)
            connection = DefaultSqliteConnection;
        return new PersistenceSettings(store, connection);
    }
}
