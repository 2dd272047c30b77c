using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(NotifyActors.Micro.FrameBenchmarks).Assembly).Run(args);
