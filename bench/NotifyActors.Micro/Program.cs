using BenchmarkDotNet.Running;

if (args is ["channel-memory", ..])
    NotifyActors.Micro.ChannelMemory.Run(args.Length > 1 ? int.Parse(args[1]) : 10_000);
else
    BenchmarkSwitcher.FromAssembly(typeof(NotifyActors.Micro.FrameBenchmarks).Assembly).Run(args);
