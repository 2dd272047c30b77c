using System.Text;

namespace NotifyActors.Protocol;

/// <summary>Channel name rules: [namespace:]name[#user1,user2], characters A-Za-z0-9_-:.@=#, and at most 255 bytes.</summary>
public static class ChannelName
{
    public const int MaxBytes = 255;

    /// <summary>Null when the name is valid, else the reason it is not.</summary>
    public static string? Validate(string name)
    {
        if (name.Length == 0)
            return "channel name is empty";
        if (Encoding.UTF8.GetByteCount(name) > MaxBytes)
            return $"channel name is longer than {MaxBytes} bytes";
        foreach (var c in name)
        {
            if (!IsAllowed(c))
                return $"channel name contains '{c}'; allowed are A-Z a-z 0-9 and _-:.@=#,";
        }
        return null;
    }

    /// <summary>The users of a user-limited channel (after '#'), or null when the channel is not user-limited.</summary>
    public static string[]? AllowedUsers(string name)
    {
        var hash = name.IndexOf('#');
        return hash < 0 ? null : name[(hash + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
    }

    private static bool IsAllowed(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
            or '_' or '-' or ':' or '.' or '@' or '=' or '#' or ',';
}
