using System.Globalization;

namespace NotifyActors.Server.Tests;

/// <summary>Reads the Prometheus text exposition format (what GET /metrics answers) just enough for the specs.</summary>
public sealed class PrometheusText(string text)
{
    public string Text { get; } = text;

    /// <summary>Whether a "# HELP name ..." line exists.</summary>
    public bool HasHelp(string name) => Lines().Any(line => line.StartsWith($"# HELP {name} ", StringComparison.Ordinal));

    /// <summary>
    /// The sum of every sample of the series <paramref name="name"/> (any labels, or only those whose labels
    /// include <paramref name="label"/>, such as <c>reason="node_limit"</c>), or null when it has none.
    /// </summary>
    public double? Value(string name, string? label = null)
    {
        double? sum = null;
        foreach (var line in Lines())
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length)
                continue;
            var rest = line[name.Length..];
            if (rest[0] == '{')
            {
                var end = rest.IndexOf('}');
                if (end < 0 || (label is not null && !rest[..end].Contains(label, StringComparison.Ordinal)))
                    continue;
                rest = rest[(end + 1)..];
            }
            else if (rest[0] != ' ' || label is not null)
            {
                continue; // another series whose name starts with this one, or one without the label
            }
            var value = rest.Trim().Split(' ')[0];
            sum = (sum ?? 0) + double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return sum;
    }

    private IEnumerable<string> Lines() => Text.Split('\n').Select(line => line.TrimEnd('\r'));
}
