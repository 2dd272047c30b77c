namespace NotifyActors.Server.Tests;

/// <summary>The PostgreSQL database the durability specs use: the throwaway one test.sh creates and names in NOTIFY_TEST_POSTGRES.</summary>
public static class PostgresDatabase
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("NOTIFY_TEST_POSTGRES") is { Length: > 0 } connection
            ? connection
            : throw new InvalidOperationException("NOTIFY_TEST_POSTGRES is not set: run the tests with ./test.sh, which starts PostgreSQL and creates a database for them");
}
