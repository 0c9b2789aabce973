using System.CommandLine;
using MlOps.Bench;

var root = new RootCommand("MlOps learning benchmarks: train on one CSV, score another, print one JSON line.");
root.Subcommands.Add(TrainCommand.Create());
return root.Parse(args).Invoke();
