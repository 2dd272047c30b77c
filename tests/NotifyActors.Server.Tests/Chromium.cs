using Microsoft.Playwright;

namespace NotifyActors.Server.Tests;

/// <summary>
/// Debian's chromium driven by Playwright (no `playwright install`: the browser comes from apt, which
/// ./test.sh runs when it is missing). Owns the Playwright driver process and the browser; disposing
/// closes both.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    private const string DefaultPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<Chromium> LaunchAsync()
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_TEST_CHROMIUM") is { Length: > 0 } given ? given : DefaultPath;
        if (!File.Exists(path))
            throw new InvalidOperationException($"no chromium at {path}: run ./test.sh (it installs Debian's chromium) or apt-get install -y chromium");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Timeout = 60_000,
                // Root in CI has no user namespace sandbox; the rest keeps the browser off the network.
                Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-default-apps"],
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Where tests leave files for people to look at (screenshots): artifacts/ at the repository root.</summary>
    public static string ArtifactsDirectory()
    {
        var artifacts = Path.Combine(RepositoryRoot.Path, "artifacts");
        Directory.CreateDirectory(artifacts);
        return artifacts;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
