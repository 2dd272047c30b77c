using System.Runtime.InteropServices;

namespace NotifyActors.Server.Hosting;

/// <summary>
/// The process's open-file limit (the soft RLIMIT_NOFILE, as <c>ulimit -n</c> shows it), where the system
/// has one, and how many descriptors the process holds now (the runtime keeps every loaded assembly open).
/// </summary>
internal static class OpenFileLimit
{
    private const ulong Unlimited = ulong.MaxValue;

    /// <summary>Null where no such limit applies or it cannot be read (Windows, or RLIM_INFINITY).</summary>
    public static long? Current()
    {
        int resource;
        if (OperatingSystem.IsLinux())
            resource = 7;
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
            resource = 8;
        else
            return null;
        if (GetRLimit(resource, out var limit) != 0 || limit.Current == Unlimited)
            return null;
        return (long)Math.Min(limit.Current, long.MaxValue);
    }

    /// <summary>Descriptors open now; 0 where the system does not list them.</summary>
    public static int InUse()
    {
        var listing = OperatingSystem.IsLinux() ? "/proc/self/fd" : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? "/dev/fd" : null;
        return listing is not null && Directory.Exists(listing) ? Directory.GetFileSystemEntries(listing).Length : 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", EntryPoint = "getrlimit")]
    private static extern int GetRLimit(int resource, out ResourceLimit limit);
}
