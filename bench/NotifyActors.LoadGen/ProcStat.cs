using System.Globalization;

namespace NotifyActors.LoadGen;

/// <summary>CPU time as the kernel counts it: one process's (/proc/PID/stat) and the whole machine's (/proc/stat).</summary>
internal static class ProcStat
{
    // /proc counts CPU time in USER_HZ, which the kernel's ABI fixes at 100 whatever its own tick rate.
    private const double UserHz = 100;

    /// <summary>The CPU time (user + system) process <paramref name="pid"/> has used since it started, in seconds; 0 when it is gone.</summary>
    public static double ProcessSeconds(int pid)
    {
        if (pid <= 0 || !File.Exists($"/proc/{pid}/stat"))
            return 0;
        // "pid (comm) state ppid ...": comm may hold spaces, so count fields after its closing parenthesis;
        // utime and stime are fields 14 and 15 of the line, the 12th and 13th after it.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / UserHz;
    }

    /// <summary>Every core's busy and total time since boot, in USER_HZ ticks (idle and iowait are not busy).</summary>
    public static (double Busy, double Total) MachineTicks()
    {
        if (!File.Exists("/proc/stat"))
            return (0, 0);
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var total = cpu.Sum();
        return (total - cpu[3] - cpu[4], total);
    }
}
