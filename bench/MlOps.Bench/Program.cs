using System.CommandLine;
using MlOps.Bench;

var root = new RootCommand("MlOps learning benchmarks: train on one CSV, score another, print one JSON line; or write a generated dataset.");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(LightGbmPeerCommand.Create());
return await root.Parse(args).InvokeAsync();
