using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NotifyActors.LoadGen;

/// <summary>
/// The table of one target against a baseline measured in the same run, each repetition's ratio beside the figures and
/// a verdict against the target (`loadgen cluster-report`, `loadgen centrifugo-report`). Reads the JSON lines bench/run.sh
/// saved: scenario, label (the target) and rep of each.
/// </summary>
internal static class RatioReport
{
    public enum Kind
    {
        Info,
        // The target's figure over the baseline's of the same repetition: at least Target (or at most, when RatioAtMost).
        Ratio,
        RatioAtMost,
        // Every run of both at most Target.
        AtMost,
        // Every run of the target at least its own connections_asked.
        AllAsked,
    }

    public sealed record Figure(string Scenario, string Key, string Name, Kind Kind, double Target, string TargetText);

    /// <summary>The runs by (scenario, target, rep); the scenario is what <paramref name="scenarioOf"/> makes of the JSON's.</summary>
    public static Dictionary<(string Scenario, string Target, int Rep), JsonElement> Load(string dir, string pattern, Func<string, string> scenarioOf)
    {
        var runs = new Dictionary<(string Scenario, string Target, int Rep), JsonElement>();
        foreach (var file in Directory.GetFiles(dir, pattern).Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file).Trim();
            if (text.Length == 0)
                continue;
            var json = JsonDocument.Parse(text).RootElement.Clone();
            if (!json.TryGetProperty("rep", out var rep))
                continue;
            runs[(scenarioOf(json.GetProperty("scenario").GetString()!), json.GetProperty("label").GetString()!, rep.GetInt32())] = json;
        }
        return runs;
    }

    /// <summary>The markdown table and the verdict lines.</summary>
    public static (string Table, List<string> Verdicts) Table(
        Dictionary<(string Scenario, string Target, int Rep), JsonElement> runs, IReadOnlyList<Figure> figures,
        string baseline, string target, string baselineHeading, string targetHeading)
    {
        var reps = runs.Keys.Select(k => k.Rep).Distinct().Order().ToArray();
        double? Num(string scenario, string label, int rep, string key) =>
            runs.TryGetValue((scenario, label, rep), out var j) && j.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        string Cells(string scenario, string label, string key) => string.Join(" / ", reps.Select(rep => Format(Num(scenario, label, rep, key))));

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"| figure | {baselineHeading} (each run) | {targetHeading} (each run) | {targetHeading} / {baselineHeading} (each run) | target | verdict |");
        table.AppendLine("|---|---|---|---|---|---|");
        var verdicts = new List<string>();
        foreach (var f in figures)
        {
            var ratios = reps.Select(rep => Num(f.Scenario, target, rep, f.Key) / Num(f.Scenario, baseline, rep, f.Key)).ToArray();
            var ratioText = f.Kind is Kind.AtMost or Kind.AllAsked ? "" : string.Join(" / ", ratios.Select(x => x is { } v && double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-"));
            var measured = reps.Any(rep => Num(f.Scenario, target, rep, f.Key) is not null);
            var verdict = !measured ? (f.Kind == Kind.Info ? "" : "not measured") : f.Kind switch
            {
                Kind.Ratio => Verdict(ratios.All(x => x >= f.Target), ratioText),
                Kind.RatioAtMost => Verdict(ratios.All(x => x <= f.Target), ratioText),
                Kind.AtMost => Verdict(reps.All(rep => Num(f.Scenario, baseline, rep, f.Key) <= f.Target && Num(f.Scenario, target, rep, f.Key) <= f.Target), ""),
                Kind.AllAsked => Verdict(reps.All(rep => Num(f.Scenario, target, rep, f.Key) >= Num(f.Scenario, target, rep, "connections_asked")),
                    $"{targetHeading} {Cells(f.Scenario, target, f.Key)} of {Cells(f.Scenario, target, "connections_asked")}"),
                _ => "",
            };
            table.AppendLine($"| {f.Name} | {Cells(f.Scenario, baseline, f.Key)} | {Cells(f.Scenario, target, f.Key)} | {ratioText} | {f.TargetText} | {verdict} |");
            if (verdict.Length > 0)
                verdicts.Add($"- {f.Name}: {verdict}");
        }
        return (table.ToString(), verdicts);
    }

    private static string Verdict(bool met, string detail) => (met ? "met" : "MISSED") + (detail.Length > 0 ? $" ({detail})" : "");

    public static string Format(double? v) => v switch
    {
        null => "-",
        { } x when Math.Abs(x) >= 100 => x.ToString("#,0", CultureInfo.InvariantCulture),
        { } x => x.ToString("0.##", CultureInfo.InvariantCulture),
    };
}
