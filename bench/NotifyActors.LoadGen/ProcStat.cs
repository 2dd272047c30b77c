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

    /// <summary>
    /// Every core's time since boot, in USER_HZ ticks: busy (everything but idle and iowait), of which in softirqs (the
    /// kernel's share of loopback TCP, wherever it ran) and stolen by the hypervisor, and the total.
    /// </summary>
    public static MachineTime MachineTicks()
    {
        if (!File.Exists("/proc/stat"))
            return default;
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var total = cpu.Sum();
        return new MachineTime(total - cpu[3] - cpu[4], cpu[6], cpu[7], total);
    }

    /// <summary>Machine time in ticks; <see cref="CoresSince"/> turns the difference of two readings into cores.</summary>
    public readonly record struct MachineTime(double Busy, double Softirq, double Steal, double Total)
    {
        public (double Busy, double Softirq, double Steal) CoresSince(MachineTime earlier)
        {
            var total = Total - earlier.Total;
            if (total <= 0)
                return (0, 0, 0);
            var cores = Environment.ProcessorCount / total;
            return ((Busy - earlier.Busy) * cores, (Softirq - earlier.Softirq) * cores, (Steal - earlier.Steal) * cores);
        }
    }
}
