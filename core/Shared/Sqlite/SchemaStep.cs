namespace Middleware.Storage;

/// <summary>
/// One forward step of a store's schema: the SQL that brings the store from <c>Version - 1</c> to
/// <paramref name="Version"/>. Version 1 is the baseline, the schema v0.1.0 writes, with <c>IF NOT EXISTS</c> everywhere
/// (it also completes what an unversioned v0.1.0 file may lack, e.g. an index). A step is never edited once released:
/// a change is a new step. Shared source (core/Shared/Sqlite).
/// </summary>
/// <param name="Version">The version the store is at once the step is applied.</param>
/// <param name="Description">What the step does, for the log.</param>
/// <param name="Sql">The statements; run in the step's one transaction, with the version written.</param>
internal sealed record SchemaStep(int Version, string Description, string Sql);
