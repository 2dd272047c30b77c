namespace NotifyActors.Server.Tests;

/// <summary>The checkout the tests run from: the first directory above the test binaries that holds NotifyActors.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "NotifyActors.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException($"no NotifyActors.sln above {AppContext.BaseDirectory}");
    }
}
