using System.Diagnostics;

namespace NotifyActors.Server.Tests;

/// <summary>
/// docker/docker-compose.yml, as Debian's docker-compose reads it (`config` validates and resolves the file offline;
/// no Docker engine runs here, test.sh installs docker-compose when it is missing): three nodes of one cluster on a
/// shared PostgreSQL, and Prometheus scraping each of them.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class DockerComposeSpecs
{
    private static readonly string ComposeFile = Path.Combine(RepositoryRoot.Path, "docker", "docker-compose.yml");

    [Fact]
    public async Task The_compose_file_runs_three_nodes_of_one_cluster_on_a_shared_postgres_with_prometheus()
    {
        var (exit, output) = await ConfigAsync(new() { ["NOTIFY_API_KEYS"] = "key", ["NOTIFY_JWT_SECRET"] = "secret", ["NOTIFY_ADMIN_TOKEN"] = "token" });

        Assert.True(exit == 0, output);
        var services = Services(output);
        Assert.Equal(["node1", "node2", "node3", "postgres", "prometheus"], services.Keys.Order());
        foreach (var node in new[] { "node1", "node2", "node3" })
        {
            var service = services[node];
            Assert.Contains("NOTIFY_PERSISTENCE: postgres", service);
            Assert.Contains("NOTIFY_CLUSTER_SEEDS: node1:4053,node2:4053", service);
            Assert.Contains($"NOTIFY_CLUSTER_HOST: {node}", service);
            Assert.Contains("stop_grace_period: 30s", service);
        }
        var prometheus = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docker", "prometheus.yml"));
        Assert.Contains("""targets: ["node1:5080", "node2:5080", "node3:5080"]""", prometheus);
    }

    [Fact]
    public async Task Without_the_secrets_the_compose_file_refuses_to_start_and_names_the_missing_one()
    {
        var (exit, output) = await ConfigAsync([]);

        Assert.NotEqual(0, exit);
        Assert.Contains("NOTIFY_", output);
    }

    private static async Task<(int Exit, string Output)> ConfigAsync(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("docker-compose", ["-f", ComposeFile, "config"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        foreach (var name in new[] { "NOTIFY_API_KEYS", "NOTIFY_JWT_SECRET", "NOTIFY_ADMIN_TOKEN" })
            start.Environment.Remove(name);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Each service's block of the resolved file (the lines under "services:" indented past its name).</summary>
    private static Dictionary<string, string> Services(string config)
    {
        var services = new Dictionary<string, string>();
        string? current = null;
        var inServices = false;
        foreach (var line in config.Split('\n'))
        {
            if (!line.StartsWith(' '))
            {
                inServices = line.TrimEnd() == "services:";
                current = null;
                continue;
            }
            if (!inServices)
                continue;
            if (line.StartsWith("  ") && !line.StartsWith("   ") && line.TrimEnd().EndsWith(':'))
            {
                current = line.Trim().TrimEnd(':');
                services[current] = "";
            }
            else if (current is not null)
            {
                services[current] += line.Trim() + "\n";
            }
        }
        return services;
    }
}
