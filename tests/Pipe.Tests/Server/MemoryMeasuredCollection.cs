namespace Middleware.Pipe.Tests.Server;

/// <summary>
/// Tests that measure this process's managed heap run alone: another class's allocations in parallel (the schema
/// tests load and validate every JSON Schema of the protocol) would count as theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuredCollection
{
    public const string Name = "memory measured";
}
