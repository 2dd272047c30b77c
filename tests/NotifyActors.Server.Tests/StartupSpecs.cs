using NotifyActors.Configuration;
using NotifyActors.Server.Hosting;
using Xunit;

namespace NotifyActors.Server.Tests;

/// <summary>Start-up configuration: the environment variables of the contract, and bad values naming their key.</summary>
[Collection(ServerCollection.Name)]
public sealed class StartupSpecs
{
    [Theory]
    [InlineData("NOTIFY_HEARTBEAT_INTERVAL", "soon")]
    [InlineData("NOTIFY_HEARTBEAT_TIMEOUT", "-5")]
    [InlineData("NOTIFY_ALLOW_ANONYMOUS", "perhaps")]
    [InlineData("NOTIFY_CONFIG", "/nonexistent/notify.hocon")]
    public void A_bad_environment_value_stops_start_up_naming_the_variable(string variable, string value)
    {
        var error = Assert.Throws<SettingsException>(() => Build(new() { [variable] = value }));

        Assert.Contains(variable, error.Message);
    }

    [Fact]
    public void A_bad_value_in_the_config_file_names_its_key()
    {
        var file = Path.Combine(Path.GetTempPath(), $"notify-bad-{Guid.NewGuid():N}.hocon");
        File.WriteAllText(file, "notify.outbound.max-frames = many");
        try
        {
            var error = Assert.Throws<SettingsException>(() => Build(new() { ["NOTIFY_CONFIG"] = file }));
            Assert.Equal("notify.outbound.max-frames", error.Key);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("NOTIFY_API_KEYS")]
    [InlineData("NOTIFY_JWT_SECRET")]
    [InlineData("NOTIFY_ADMIN_TOKEN")]
    public void The_production_profile_refuses_to_start_without_each_secret(string missing)
    {
        var environment = new Dictionary<string, string?>
        {
            ["NOTIFY_PROFILE"] = "production",
            ["NOTIFY_API_KEYS"] = ServiceHost.ApiKey,
            ["NOTIFY_JWT_SECRET"] = ServiceHost.JwtSecret,
            ["NOTIFY_ADMIN_TOKEN"] = ServiceHost.AdminToken,
        };
        environment.Remove(missing);

        var error = Assert.Throws<SettingsException>(() => Build(environment));

        Assert.Contains(missing, error.Message);
    }

    [Theory]
    [InlineData("NOTIFY_JWT_SECRET", "too-short")]
    [InlineData("NOTIFY_API_KEYS", "short")]
    public void The_production_profile_refuses_weak_secrets(string variable, string value)
    {
        var environment = new Dictionary<string, string?>
        {
            ["NOTIFY_PROFILE"] = "production",
            ["NOTIFY_API_KEYS"] = ServiceHost.ApiKey,
            ["NOTIFY_JWT_SECRET"] = ServiceHost.JwtSecret,
            ["NOTIFY_ADMIN_TOKEN"] = ServiceHost.AdminToken,
            [variable] = value,
        };

        var error = Assert.Throws<SettingsException>(() => Build(environment));

        Assert.Contains(variable, error.Message);
    }

    [Fact]
    public void The_development_profile_generates_and_prints_missing_secrets()
    {
        var console = new StringWriter();

        using var _ = (IDisposable)NotifyServer.Build([], new Dictionary<string, string?> { ["NOTIFY_URLS"] = "http://127.0.0.1:0" }, console);

        var printed = console.ToString();
        Assert.Contains("[development] generated server API key: ", printed);
        Assert.Contains("[development] generated JWT secret (HS256): ", printed);
        Assert.Contains("[development] generated admin token: ", printed);
    }

    [Fact]
    public void Environment_variables_win_over_the_config_file_which_wins_over_the_defaults()
    {
        var file = Path.Combine(Path.GetTempPath(), $"notify-layers-{Guid.NewGuid():N}.hocon");
        File.WriteAllText(file, "notify.heartbeat { interval = 7s, timeout = 3s }\nnotify.outbound.max-frames = 77");
        try
        {
            var config = ServiceConfiguration.Load(new Dictionary<string, string?>
            {
                ["NOTIFY_CONFIG"] = file,
                ["NOTIFY_HEARTBEAT_INTERVAL"] = "12",
                ["NOTIFY_ALLOW_ANONYMOUS"] = "false",
            });
            var settings = NotifySettings.Create(config);

            Assert.Equal(TimeSpan.FromSeconds(12), settings.Heartbeat.Interval);
            Assert.Equal(TimeSpan.FromSeconds(3), settings.Heartbeat.Timeout);
            Assert.Equal(77, settings.Outbound.MaxFrames);
            Assert.Equal(65536, settings.Limits.MaxFrameBytes);
            Assert.False(settings.AllowAnonymous);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void Build(Dictionary<string, string?> environment)
    {
        environment.TryAdd("NOTIFY_URLS", "http://127.0.0.1:0");
        using var app = (IDisposable)NotifyServer.Build([], environment, TextWriter.Null);
    }
}
