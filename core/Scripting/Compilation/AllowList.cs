using System.Collections.Frozen;

namespace Middleware.Scripting.Compilation;

/// <summary>
/// What scripts may use: an ALLOW-list of namespaces, types and (for some types) members. Anything not listed is
/// refused, so a new dangerous API in a future .NET is refused by default. The assemblies a script compiles
/// against are listed in <see cref="ScriptCompiler"/>; this list is checked on the semantic model.
/// </summary>
internal static class AllowList
{
    /// <summary>Namespaces whose every public type is allowed (the scripts' own API).</summary>
    public static readonly FrozenSet<string> Namespaces = new[]
    {
        "Middleware.Scripting.Globals",
    }.ToFrozenSet();

    /// <summary>Types allowed with all their public members (metadata names of generic definitions).</summary>
    public static readonly FrozenSet<string> Types = new[]
    {
        // Values and text
        "System.Void", "System.Boolean", "System.Char", "System.String", "System.SByte", "System.Byte", "System.Int16",
        "System.UInt16", "System.Int32", "System.UInt32", "System.Int64", "System.UInt64", "System.Single", "System.Double",
        "System.Decimal", "System.Math", "System.MidpointRounding", "System.Nullable`1", "System.Index", "System.Range",
        "System.TimeSpan", "System.DateOnly", "System.TimeOnly", "System.DayOfWeek", "System.StringComparison",
        "System.StringSplitOptions", "System.StringComparer", "System.IFormatProvider", "System.IComparable`1", "System.IEquatable`1",
        "System.Text.StringBuilder", "System.Globalization.NumberStyles",
        // Tuples and delegates a script writes as lambdas
        "System.ValueTuple`1", "System.ValueTuple`2", "System.ValueTuple`3", "System.ValueTuple`4", "System.ValueTuple`5",
        "System.ValueTuple`6", "System.ValueTuple`7",
        "System.Func`1", "System.Func`2", "System.Func`3", "System.Func`4", "System.Func`5",
        "System.Action", "System.Action`1", "System.Action`2", "System.Action`3", "System.Predicate`1", "System.Comparison`1",
        // Exceptions a rule may throw or catch
        "System.Exception", "System.InvalidOperationException", "System.ArgumentException", "System.ArgumentOutOfRangeException",
        "System.FormatException", "System.OverflowException", "System.DivideByZeroException",
        "System.Collections.Generic.KeyNotFoundException",
        // Collections
        "System.Collections.Generic.List`1", "System.Collections.Generic.Dictionary`2", "System.Collections.Generic.HashSet`1",
        "System.Collections.Generic.SortedDictionary`2", "System.Collections.Generic.Queue`1", "System.Collections.Generic.Stack`1",
        "System.Collections.Generic.KeyValuePair`2", "System.Collections.Generic.IEnumerable`1", "System.Collections.Generic.IEnumerator`1",
        "System.Collections.Generic.ICollection`1", "System.Collections.Generic.IList`1", "System.Collections.Generic.IReadOnlyList`1",
        "System.Collections.Generic.IReadOnlyCollection`1", "System.Collections.Generic.IDictionary`2",
        "System.Collections.Generic.IReadOnlyDictionary`2", "System.Collections.Generic.ISet`1", "System.Collections.Generic.IReadOnlySet`1",
        "System.Collections.Generic.IComparer`1", "System.Collections.Generic.IEqualityComparer`1",
        "System.Linq.IGrouping`2", "System.Linq.IOrderedEnumerable`1", "System.Linq.ILookup`2",
        // The VEM ticket a mapping script returns, and money helpers
        "Middleware.Domain.Tickets.VemTicket", "Middleware.Domain.Tickets.VemTicketLine", "Middleware.Domain.Tickets.VemPayment",
        "Middleware.Domain.Tickets.VemComplement", "Middleware.Domain.Tickets.CodeReglement", "Middleware.Domain.Money.Euro",
    }.ToFrozenSet();

    /// <summary>Types allowed with only the listed members.</summary>
    public static readonly FrozenDictionary<string, FrozenSet<string>> Members = new Dictionary<string, FrozenSet<string>>
    {
        // Not GetType (reflection).
        ["System.Object"] = Set("ToString", "Equals", "GetHashCode", "ReferenceEquals", ".ctor"),
        ["System.ValueType"] = Set("ToString", "Equals", "GetHashCode"),
        ["System.Enum"] = Set("ToString", "Equals", "GetHashCode", "CompareTo", "HasFlag"),
        // Not Now/UtcNow/Today: a script reads the point of sale's clock (Now), never the machine's.
        ["System.DateTime"] = Set(".ctor", "Year", "Month", "Day", "Hour", "Minute", "Second", "Millisecond", "Date", "DayOfWeek",
            "DayOfYear", "TimeOfDay", "AddDays", "AddHours", "AddMinutes", "AddSeconds", "AddMonths", "AddYears", "Add", "Subtract",
            "ToString", "Equals", "GetHashCode", "CompareTo", "DaysInMonth", "IsLeapYear", "MinValue", "MaxValue", "Parse", "ParseExact",
            "TryParse", "TryParseExact", "op_Addition", "op_Subtraction", "op_Equality", "op_Inequality", "op_LessThan",
            "op_LessThanOrEqual", "op_GreaterThan", "op_GreaterThanOrEqual"),
        ["System.DateTimeOffset"] = Set(".ctor", "Year", "Month", "Day", "Hour", "Minute", "Second", "Millisecond", "Date", "DateTime",
            "DayOfWeek", "DayOfYear", "TimeOfDay", "Offset", "AddDays", "AddHours", "AddMinutes", "AddSeconds", "AddMonths", "AddYears",
            "Add", "Subtract", "ToString", "Equals", "GetHashCode", "CompareTo", "ToOffset", "MinValue", "MaxValue", "Parse", "ParseExact",
            "TryParse", "TryParseExact", "op_Addition", "op_Subtraction", "op_Equality", "op_Inequality", "op_LessThan",
            "op_LessThanOrEqual", "op_GreaterThan", "op_GreaterThanOrEqual", "op_Implicit"),
        // Not CurrentCulture's setters, DefaultThreadCurrentCulture (they change the host's threads).
        ["System.Globalization.CultureInfo"] = Set("InvariantCulture", "GetCultureInfo"),
        // LINQ operators over finite inputs; not Range/Repeat (a script could build billions of elements without a loop).
        ["System.Linq.Enumerable"] = Set("Where", "Select", "SelectMany", "Sum", "Count", "LongCount", "Any", "All", "First",
            "FirstOrDefault", "Last", "LastOrDefault", "Single", "SingleOrDefault", "OrderBy", "OrderByDescending", "ThenBy",
            "ThenByDescending", "GroupBy", "ToList", "ToArray", "ToDictionary", "ToHashSet", "ToLookup", "Min", "Max", "MinBy", "MaxBy",
            "Average", "Take", "Skip", "TakeWhile", "SkipWhile", "Concat", "Distinct", "DistinctBy", "Contains", "Aggregate", "Zip",
            "Reverse", "Empty", "ElementAt", "ElementAtOrDefault", "Except", "Intersect", "Union", "SequenceEqual", "DefaultIfEmpty",
            "Chunk", "OfType", "Cast", "Append", "Prepend", "Order", "OrderDescending", "CountBy"),
    }.ToFrozenDictionary();

    /// <summary>Why a namespace is refused, in words Crous IT understand.</summary>
    public static string ReasonFor(string ns) => ns switch
    {
        _ when ns.StartsWith("System.IO", StringComparison.Ordinal) => "scripts cannot read or write files",
        _ when ns.StartsWith("System.Diagnostics", StringComparison.Ordinal) => "scripts cannot start processes or inspect the host",
        _ when ns.StartsWith("System.Net", StringComparison.Ordinal) => "scripts cannot use the network",
        _ when ns.StartsWith("System.Reflection", StringComparison.Ordinal) => "scripts cannot use reflection or load assemblies",
        _ when ns.StartsWith("System.Runtime", StringComparison.Ordinal) => "scripts cannot call native code or runtime services",
        _ when ns.StartsWith("System.Threading", StringComparison.Ordinal) => "scripts cannot start threads or tasks",
        _ when ns.StartsWith("System.Security", StringComparison.Ordinal) => "scripts cannot use security or cryptography APIs",
        _ => "it is not on the scripts' allow-list",
    };

    private static FrozenSet<string> Set(params string[] names) => names.ToFrozenSet(StringComparer.Ordinal);
}
