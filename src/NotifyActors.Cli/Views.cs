using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace NotifyActors.Cli;

/// <summary>How each admin answer is shown as a table. Values come from the admin API's JSON as they are.</summary>
public static class Views
{
    public static Table Stats(JsonElement stats)
    {
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var property in stats.EnumerateObject())
        {
            var value = property.Name switch
            {
                "gc_heap_bytes" => $"{Text(property.Value)} ({Bytes(property.Value.GetInt64())})",
                _ => Text(property.Value),
            };
            table.AddRow(Markup.Escape(property.Name), Markup.Escape(value));
        }
        return table;
    }

    public static Table Channels(JsonElement body)
    {
        var table = new Table().AddColumn("channel").AddColumn(new TableColumn("subscribers").RightAligned())
            .AddColumn(new TableColumn("offset").RightAligned()).AddColumn("epoch").AddColumn(new TableColumn("history").RightAligned());
        foreach (var channel in body.GetProperty("channels").EnumerateArray())
            table.AddRow(
                Markup.Escape(Text(channel.GetProperty("name"))),
                Text(channel.GetProperty("subscribers")),
                Text(channel.GetProperty("offset")),
                Markup.Escape(Text(channel.GetProperty("epoch"))),
                Text(channel.GetProperty("history_length")));
        table.Caption($"{body.GetProperty("total").GetInt32()} channel(s)");
        return table;
    }

    public static Table Subscribers(JsonElement body)
    {
        var table = new Table().AddColumn("client").AddColumn("user").AddColumn("remote address").AddColumn("protocol").AddColumn("channels").AddColumn("connected (UTC)")
            .AddColumn(new TableColumn("queue").RightAligned()).AddColumn("last sign of life (UTC)");
        var rows = 0;
        foreach (var subscriber in body.GetProperty("subscribers").EnumerateArray())
        {
            var channels = string.Join(", ", subscriber.GetProperty("channels").EnumerateArray().Select(Text));
            var user = Text(subscriber.GetProperty("user"));
            table.AddRow(
                Markup.Escape(Text(subscriber.GetProperty("client"))),
                Markup.Escape(user.Length == 0 ? "(anonymous)" : user),
                Markup.Escape(Text(subscriber.GetProperty("remote_address"))),
                Markup.Escape(Text(subscriber.GetProperty("protocol"))),
                Markup.Escape(channels),
                Markup.Escape(Clock(subscriber.GetProperty("connected_since"))),
                Markup.Escape($"{subscriber.GetProperty("queue_frames").GetInt64()} / {Bytes(subscriber.GetProperty("queue_bytes").GetInt64())}"),
                Markup.Escape(Clock(subscriber.GetProperty("last_sign_of_life"))));
            rows++;
        }
        var matched = body.GetProperty("matched").GetInt32();
        var caption = rows < matched ? $"showing {rows} of {matched} matching connection(s)" : $"{matched} matching connection(s)";
        if (!body.GetProperty("complete").GetBoolean())
            caption += "; some connections did not answer in time";
        table.Caption(caption);
        return table;
    }

    /// <summary>One row per member (self marked), its figures where it answered, and a total row.</summary>
    public static Table Nodes(JsonElement body)
    {
        string[] figures = ["connections", "subscriber_actors", "channels", "channel_owners", "deliveries_total"];
        var table = new Table().AddColumn("node").AddColumn("status").AddColumn("roles").AddColumn("reachable");
        foreach (var figure in figures)
            table.AddColumn(new TableColumn(figure.Replace("_total", "").Replace('_', ' ')).RightAligned());
        foreach (var node in body.GetProperty("nodes").EnumerateArray())
        {
            var stats = node.GetProperty("stats");
            var name = Text(node.GetProperty("node")) + (node.GetProperty("self").GetBoolean() ? " (this node)" : "");
            var roles = string.Join(", ", node.GetProperty("roles").EnumerateArray().Select(Text));
            var reachable = node.GetProperty("reachable").GetBoolean() ? "yes" : "[red]no[/]";
            table.AddRow([Markup.Escape(name), Markup.Escape(Text(node.GetProperty("status"))), Markup.Escape(roles.Length == 0 ? "-" : roles), reachable,
                .. figures.Select(f => stats.ValueKind == JsonValueKind.Object ? Text(stats.GetProperty(f)) : "-")]);
        }
        var total = body.GetProperty("total");
        table.AddRow(["[bold]total[/]", "", "", "", .. figures.Select(f => $"[bold]{Text(total.GetProperty(f))}[/]")]);
        var unreachable = body.GetProperty("unreachable").GetInt32();
        table.Caption(unreachable == 0
            ? $"{body.GetProperty("nodes").GetArrayLength()} member(s)"
            : $"{body.GetProperty("nodes").GetArrayLength()} member(s), {unreachable} unreachable (left out of the total)");
        return table;
    }

    /// <summary>A time of day, with the date only when it is not today (UTC): keeps the table narrow.</summary>
    private static string Clock(JsonElement value)
    {
        var time = value.GetDateTimeOffset().ToUniversalTime();
        var format = time.Date == DateTimeOffset.UtcNow.Date ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss";
        return time.ToString(format, CultureInfo.InvariantCulture);
    }

    public static Table DeadLetters(JsonElement body)
    {
        var table = new Table().AddColumn("time").AddColumn("message type").AddColumn("sender").AddColumn("recipient");
        foreach (var letter in body.GetProperty("dead_letters").EnumerateArray())
        {
            table.AddRow(
                Markup.Escape(letter.GetProperty("time").GetDateTimeOffset().ToString("u", CultureInfo.InvariantCulture)),
                Markup.Escape(Text(letter.GetProperty("message_type"))),
                Markup.Escape(Text(letter.GetProperty("sender"))),
                Markup.Escape(Text(letter.GetProperty("recipient"))));
        }
        table.Caption($"most recent first; the service keeps the last {body.GetProperty("capacity").GetInt32()}");
        return table;
    }

    /// <summary>The actor hierarchy as a tree: each actor with its child count; a page of the path's children.</summary>
    public static Tree Actors(JsonElement body)
    {
        var total = body.GetProperty("children_total").GetInt32();
        var page = body.GetProperty("page").GetInt32();
        var size = body.GetProperty("size").GetInt32();
        var tree = new Tree(Markup.Escape($"{body.GetProperty("path").GetString()} ({total} children)"));
        foreach (var child in body.GetProperty("children").EnumerateArray())
            AddNode(tree.AddNode(Label(child)), child);
        var first = Math.Min(total, (page - 1) * size + 1);
        var last = Math.Min(total, page * size);
        if (total > size || page > 1)
            tree.AddNode(Markup.Escape($"[showing {first}-{last} of {total}; page {page}, --page N for more]"));
        if (body.GetProperty("truncated").GetBoolean())
            tree.AddNode("(deeper levels cut short: too many actors for one answer)");
        return tree;

        static void AddNode(TreeNode node, JsonElement actor)
        {
            if (!actor.TryGetProperty("children", out var children) || children.ValueKind != JsonValueKind.Array)
                return;
            foreach (var child in children.EnumerateArray())
                AddNode(node.AddNode(Label(child)), child);
            var shown = children.GetArrayLength();
            var count = actor.GetProperty("child_count").GetInt32();
            if (count > shown)
                node.AddNode(Markup.Escape($"... {count - shown} more"));
        }

        static string Label(JsonElement actor)
        {
            var count = actor.GetProperty("child_count").GetInt32();
            var name = Markup.Escape(actor.GetProperty("name").GetString() ?? "");
            return count == 0 ? name : $"{name} [grey]({count})[/]";
        }
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Null => "-",
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        _ => value.GetRawText(),
    };

    private static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }
}
