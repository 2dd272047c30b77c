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
        var table = new Table().AddColumn("channel").AddColumn(new TableColumn("subscribers").RightAligned());
        foreach (var channel in body.GetProperty("channels").EnumerateArray())
            table.AddRow(Markup.Escape(Text(channel.GetProperty("name"))), Text(channel.GetProperty("subscribers")));
        table.Caption($"{body.GetProperty("total").GetInt32()} channel(s)");
        return table;
    }

    public static Table Subscribers(JsonElement body)
    {
        var table = new Table().AddColumn("client").AddColumn("user").AddColumn("remote address").AddColumn("channels").AddColumn("connected since");
        foreach (var subscriber in body.GetProperty("subscribers").EnumerateArray())
        {
            var channels = string.Join(", ", subscriber.GetProperty("channels").EnumerateArray().Select(Text));
            var user = Text(subscriber.GetProperty("user"));
            table.AddRow(
                Markup.Escape(Text(subscriber.GetProperty("client"))),
                Markup.Escape(user.Length == 0 ? "(anonymous)" : user),
                Markup.Escape(Text(subscriber.GetProperty("remote_address"))),
                Markup.Escape(channels),
                Markup.Escape(subscriber.GetProperty("connected_since").GetDateTimeOffset().ToString("u", CultureInfo.InvariantCulture)));
        }
        var caption = $"{body.GetProperty("matched").GetInt32()} matching connection(s)";
        if (!body.GetProperty("complete").GetBoolean())
            caption += "; some connections did not answer in time";
        table.Caption(caption);
        return table;
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
