using BenchmarkDotNet.Running;

// As the host and the sandbox do, before any SQLite connection (the in-process sandbox and the store benchmarks).
Middleware.Storage.SqliteProcessSettings.DisableMemoryStatistics();

// Every benchmark class of this assembly is listed by the switcher: add a class in your feature's folder, nothing here.
// Load generators that print their own figures are reached by a first argument naming them.
if (args.Length > 0 && args[0] == Middleware.Benchmarks.Pipe.PipeLoadGenerator.Command)
{
    return await Middleware.Benchmarks.Pipe.PipeLoadGenerator.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == Middleware.Benchmarks.Cards.CardReadLoadGenerator.Command)
{
    return await Middleware.Benchmarks.Cards.CardReadLoadGenerator.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == Middleware.Benchmarks.Terminals.TetraReadLoadGenerator.Command)
{
    return await Middleware.Benchmarks.Terminals.TetraReadLoadGenerator.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == Middleware.Benchmarks.Sale.SaleLoadGenerator.Command)
{
    return await Middleware.Benchmarks.Sale.SaleLoadGenerator.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == Middleware.Benchmarks.Sale.TraceReport.Command)
{
    return Middleware.Benchmarks.Sale.TraceReport.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "scripting-probe")
{
    return Middleware.Benchmarks.Scripting.ScriptingProbes.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Middleware.Benchmarks.Pipe.PipeLoadGenerator).Assembly).Run(args);
return 0;
