using System.CommandLine;
using MlOps.Bench;

var root = new RootCommand("MlOps learning benchmarks: train on one CSV, score another, print one JSON line; write a generated dataset; draw and embed pictures.");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(LightGbmPeerCommand.Create());
root.Subcommands.Add(DrawImagesCommand.Create());
root.Subcommands.Add(EmbedImagesCommand.Create());
root.Subcommands.Add(MultimodalCommand.Create());
return await root.Parse(args).InvokeAsync();
