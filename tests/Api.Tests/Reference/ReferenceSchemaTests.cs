using Middleware.Api.Reference;
using Middleware.Api.Tests.Support;
using Middleware.Storage;
using Middleware.Tests.Storage;

namespace Middleware.Api.Tests.Reference;

/// <summary>The reference file of v0.1.0 (Fixtures/v0.1.0/reference.db: one sync of the sandbox's main till, written by
/// v0.1.0's own code, PRAGMA user_version 1) opened by this build, and one a newer build wrote.</summary>
public sealed class ReferenceSchemaTests : IDisposable
{
    private readonly string dir = StoreFixtureFiles.CopyV010("mw-reference-schema-");

    private string DbPath => Path.Combine(dir, "reference.db");

    public void Dispose() => StoreFixtureFiles.Delete(dir);

    [Fact]
    public void A_v010_store_is_migrated_and_loads_its_synced_data()
    {
        Assert.Null(StoreFixtureFiles.VersionOf(DbPath, "reference"));

        var db = new ReferenceDatabase(DbPath);

        Assert.Equal(ReferenceSchema.Schema.Latest, StoreFixtureFiles.VersionOf(DbPath, "reference"));
        var (data, kiosk) = db.Load(ApiHarness.Pos)!.Value;
        Assert.Equal((368, 14), (data.Prix.Count, data.Caisse.IdCaisse));
        Assert.NotEmpty(data.Articles);
        Assert.NotEmpty(kiosk);
        var state = db.ReadState(ApiHarness.Pos);
        Assert.Equal((0, (string?)null), (state!.ConsecutiveFailures, state.LastError));
        Assert.NotNull(state.LastSuccessUtc);
    }

    [Fact]
    public void A_store_of_a_newer_version_is_refused_by_name_and_left_byte_identical()
    {
        StoreFixtureFiles.SetVersion(DbPath, "reference", ReferenceSchema.Schema.Latest + 1);
        var before = File.ReadAllBytes(DbPath);

        var e = Assert.Throws<StoreSchemaException>(() => new ReferenceDatabase(DbPath));

        Assert.Equal(
            $"{DbPath}: the reference store is at schema version 2, newer than the highest this build knows (1). "
            + "A newer middleware wrote it; run that version, or restore the backup taken before the upgrade. The file was not changed.",
            e.Message);
        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }
}
