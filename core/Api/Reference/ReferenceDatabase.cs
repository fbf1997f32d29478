using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Middleware.Api.Vem;
using Middleware.Domain.PointsOfSale;
using Middleware.Storage;

namespace Middleware.Api.Reference;

/// <summary>What the store knows about the syncs of one point of sale.</summary>
internal sealed record SyncState(DateTimeOffset? LastSuccessUtc, DateTimeOffset? LastAttemptUtc, string? LastError, int ConsecutiveFailures, long LastDurationMs);

/// <summary>
/// The SQLite file of the reference store: one table per VEM resource, every row keyed by point of sale
/// (<c>pos</c> = <c>idCrous-idUg-idRu-idUd-idCaisse</c>). A sync replaces a point of sale's rows in ONE transaction,
/// so a reader sees the old data or the new, never a mix. Decimals are stored as invariant text (no float rounding).
/// The Izly key of <c>caisse</c> is never stored.
/// </summary>
internal sealed class ReferenceDatabase
{
    private readonly string connectionString;

    /// <summary>Opens the store, migrated to this build's schema first: a file a newer version wrote is refused untouched.</summary>
    public ReferenceDatabase(string path, ILogger? logger = null, TimeProvider? time = null)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        connectionString = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true, DefaultTimeout = 30 }.ToString();
        Path_ = full;
        // v0.1.0 kept PRAGMA user_version = 1 here; the version is now in schema_version, as for every store, and a
        // v0.1.0 file is recognised by its tables.
        StoreSchemaMigrator.Migrate(full, ReferenceSchema.Schema, logger, time);
        using var c = Open();
        c.Execute("PRAGMA journal_mode=WAL;");
    }

    public string Path_ { get; }

    private static readonly string[] DataTables =
    [
        "ref_caisse", "ref_tva", "ref_articles", "ref_societes", "ref_societes_tarifs", "ref_periodes", "ref_societes_tarifs_periode",
        "ref_prix", "ref_kiosk_articles", "ref_droits_entree_types", "ref_droits_entree", "ref_subventions",
    ];

    public SqliteConnection Open()
    {
        var c = new SqliteConnection(connectionString);
        c.Open();
        return c;
    }

    /// <summary>Replaces every row of <paramref name="pos"/> and records the success, in one transaction.
    /// <paramref name="beforeCommit"/> lets tests crash the write half-way.</summary>
    public void Replace(PointOfSaleId pos, ReferenceData data, IReadOnlySet<int> kioskArticles, DateTimeOffset syncedAt, long durationMs, Action<string>? beforeCommit = null)
    {
        var p = pos.ToString();
        using var c = Open();
        using var tx = c.BeginTransaction();
        foreach (var table in DataTables)
        {
            c.Execute($"DELETE FROM {table} WHERE pos=@p", new { p }, tx);
        }

        var k = data.Caisse;
        c.Execute("INSERT INTO ref_caisse(pos,idCrous,idUg,idRu,idUd,idCaisse,libelle,idLogiciel) VALUES (@p,@IdCrous,@IdUg,@IdRu,@IdUd,@IdCaisse,@Libelle,@IdLogiciel)",
            new { p, k.IdCrous, k.IdUg, k.IdRu, k.IdUd, k.IdCaisse, k.Libelle, k.IdLogiciel }, tx);
        c.Execute("INSERT INTO ref_tva(pos,codeTva,taux,libelle) VALUES (@p,@CodeTva,@Taux,@Libelle)",
            data.Tva.Select(t => new { p, t.CodeTva, Taux = Dec(t.Taux), t.Libelle }), tx);
        c.Execute("INSERT INTO ref_articles(pos,codeArticle,libelle,codeTva,codeFamille,actif,versBornesPrepaiement) VALUES (@p,@CodeArticle,@Libelle,@CodeTva,@CodeFamille,@Actif,@VersBornesPrepaiement)",
            data.Articles.Select(a => new { p, a.CodeArticle, a.Libelle, a.CodeTva, a.CodeFamille, a.Actif, a.VersBornesPrepaiement }), tx);
        c.Execute("INSERT INTO ref_societes(pos,codeSociete,libelle) VALUES (@p,@CodeSociete,@Libelle)",
            data.Societes.Select(s => new { p, s.CodeSociete, s.Libelle }), tx);
        c.Execute("INSERT INTO ref_societes_tarifs(pos,codeSociete,codeTarif,libelle,codeTva) VALUES (@p,@CodeSociete,@CodeTarif,@Libelle,@CodeTva)",
            data.SocietesTarifs.Select(s => new { p, s.CodeSociete, s.CodeTarif, s.Libelle, s.CodeTva }), tx);
        c.Execute("INSERT INTO ref_periodes(pos,idPeriode,dateDebut,dateFin) VALUES (@p,@IdPeriode,@DateDebut,@DateFin)",
            data.Periodes.Select(x => new { p, x.IdPeriode, x.DateDebut, x.DateFin }), tx);
        c.Execute("INSERT INTO ref_societes_tarifs_periode(pos,codeSociete,codeTarif,idPeriode) VALUES (@p,@CodeSociete,@CodeTarif,@IdPeriode)",
            data.SocietesTarifsPeriode.Select(x => new { p, x.CodeSociete, x.CodeTarif, x.IdPeriode }), tx);
        beforeCommit?.Invoke("ref_prix");
        c.Execute("INSERT INTO ref_prix(pos,codeArticle,codeSociete,codeTarif,idPeriode,prixTtc) VALUES (@p,@CodeArticle,@CodeSociete,@CodeTarif,@IdPeriode,@PrixTtc)",
            data.Prix.Select(x => new { p, x.CodeArticle, x.CodeSociete, x.CodeTarif, x.IdPeriode, PrixTtc = Dec(x.PrixTtc) }), tx);
        c.Execute("INSERT INTO ref_kiosk_articles(pos,codeArticle) VALUES (@p,@code)", kioskArticles.Select(code => new { p, code }), tx);
        c.Execute("INSERT INTO ref_droits_entree_types(pos,codeType,libelle) VALUES (@p,@CodeType,@Libelle)",
            data.DroitsEntreeTypes.Select(x => new { p, x.CodeType, x.Libelle }), tx);
        c.Execute("INSERT INTO ref_droits_entree(pos,codeSociete,codeTarif,codeType,montantTtc,codeArticle) VALUES (@p,@CodeSociete,@CodeTarif,@CodeType,@MontantTtc,@CodeArticle)",
            data.DroitsEntree.Select(x => new { p, x.CodeSociete, x.CodeTarif, x.CodeType, MontantTtc = Dec(x.MontantTtc), x.CodeArticle }), tx);
        c.Execute("INSERT INTO ref_subventions(pos,codeSociete,codeTarif,codeArticle,montant,libelle) VALUES (@p,@CodeSociete,@CodeTarif,@CodeArticle,@Montant,@Libelle)",
            data.Subventions.Select(x => new { p, x.CodeSociete, x.CodeTarif, x.CodeArticle, Montant = Dec(x.Montant), x.Libelle }), tx);
        c.Execute("""
            INSERT INTO ref_sync(pos,lastSuccessUtc,lastAttemptUtc,lastError,consecutiveFailures,lastDurationMs) VALUES (@p,@at,@at,NULL,0,@durationMs)
            ON CONFLICT(pos) DO UPDATE SET lastSuccessUtc=@at, lastAttemptUtc=@at, lastError=NULL, consecutiveFailures=0, lastDurationMs=@durationMs
            """, new { p, at = Time(syncedAt), durationMs }, tx);
        beforeCommit?.Invoke("commit");
        tx.Commit();
    }

    /// <summary>Records a failed attempt; the data rows are not touched.</summary>
    public void RecordFailure(PointOfSaleId pos, DateTimeOffset at, string error)
    {
        using var c = Open();
        c.Execute("""
            INSERT INTO ref_sync(pos,lastSuccessUtc,lastAttemptUtc,lastError,consecutiveFailures) VALUES (@p,NULL,@at,@error,1)
            ON CONFLICT(pos) DO UPDATE SET lastAttemptUtc=@at, lastError=@error, consecutiveFailures=consecutiveFailures+1
            """, new { p = pos.ToString(), at = Time(at), error });
    }

    public SyncState? ReadState(PointOfSaleId pos)
    {
        using var c = Open();
        var row = c.QueryFirstOrDefault<SyncRow>("SELECT lastSuccessUtc, lastAttemptUtc, lastError, consecutiveFailures, lastDurationMs FROM ref_sync WHERE pos=@p", new { p = pos.ToString() });
        return row is null ? null : new SyncState(ParseTime(row.LastSuccessUtc), ParseTime(row.LastAttemptUtc), row.LastError, (int)row.ConsecutiveFailures, row.LastDurationMs);
    }

    /// <summary>The data of the last successful sync, or null when there never was one.</summary>
    public (ReferenceData Data, IReadOnlySet<int> Kiosk)? Load(PointOfSaleId pos)
    {
        var p = new { p = pos.ToString() };
        using var c = Open();
        using var tx = c.BeginTransaction(); // one consistent read
        var caisse = c.QueryFirstOrDefault<CaisseRow>("SELECT idCrous,idUg,idRu,idUd,idCaisse,libelle,idLogiciel FROM ref_caisse WHERE pos=@p", p, tx);
        if (caisse is null)
        {
            return null;
        }

        var data = new ReferenceData(
            new VemCaisse { IdCrous = (int)caisse.IdCrous, IdUg = (int)caisse.IdUg, IdRu = (int)caisse.IdRu, IdUd = (int)caisse.IdUd, IdCaisse = (int)caisse.IdCaisse, Libelle = caisse.Libelle, IdLogiciel = (int?)caisse.IdLogiciel },
            [.. c.Query<TvaRow>("SELECT codeTva,taux,libelle FROM ref_tva WHERE pos=@p ORDER BY rowid", p, tx).Select(r => new VemTva((int)r.CodeTva, Dec(r.Taux), r.Libelle))],
            [.. c.Query<ArticleRow>("SELECT codeArticle,libelle,codeTva,codeFamille,actif,versBornesPrepaiement FROM ref_articles WHERE pos=@p ORDER BY rowid", p, tx)
                .Select(r => new VemArticle((int)r.CodeArticle, r.Libelle, (int)r.CodeTva, (int?)r.CodeFamille, r.Actif != 0, r.VersBornesPrepaiement != 0))],
            [.. c.Query<SocieteRow>("SELECT codeSociete,libelle FROM ref_societes WHERE pos=@p ORDER BY rowid", p, tx).Select(r => new VemSociete((int)r.CodeSociete, r.Libelle))],
            [.. c.Query<SocieteTarifRow>("SELECT codeSociete,codeTarif,libelle,codeTva FROM ref_societes_tarifs WHERE pos=@p ORDER BY rowid", p, tx)
                .Select(r => new VemSocieteTarif((int)r.CodeSociete, (int)r.CodeTarif, r.Libelle, (int?)r.CodeTva))],
            [.. c.Query<PeriodeRow>("SELECT idPeriode,dateDebut,dateFin FROM ref_periodes WHERE pos=@p ORDER BY rowid", p, tx).Select(r => new VemPeriode((int)r.IdPeriode, r.DateDebut, r.DateFin))],
            [.. c.Query<StpRow>("SELECT codeSociete,codeTarif,idPeriode FROM ref_societes_tarifs_periode WHERE pos=@p ORDER BY rowid", p, tx)
                .Select(r => new VemSocieteTarifPeriode((int)r.CodeSociete, (int)r.CodeTarif, (int)r.IdPeriode))],
            [.. c.Query<PrixRow>("SELECT codeArticle,codeSociete,codeTarif,idPeriode,prixTtc FROM ref_prix WHERE pos=@p ORDER BY rowid", p, tx)
                .Select(r => new VemArticlePrix((int)r.CodeArticle, (int)r.CodeSociete, (int)r.CodeTarif, (int)r.IdPeriode, Dec(r.PrixTtc)))],
            [.. c.Query<TypeRow>("SELECT codeType,libelle FROM ref_droits_entree_types WHERE pos=@p ORDER BY rowid", p, tx).Select(r => new VemDroitEntreeType((int)r.CodeType, r.Libelle))],
            [.. c.Query<DroitRow>("SELECT codeSociete,codeTarif,codeType,montantTtc,codeArticle FROM ref_droits_entree WHERE pos=@p ORDER BY rowid", p, tx)
                .Select(r => new VemDroitEntree((int)r.CodeSociete, (int)r.CodeTarif, (int)r.CodeType, Dec(r.MontantTtc), (int)r.CodeArticle))],
            [.. c.Query<SubventionRow>("SELECT codeSociete,codeTarif,codeArticle,montant,libelle FROM ref_subventions WHERE pos=@p ORDER BY rowid", p, tx)
                .Select(r => new VemSubvention((int)r.CodeSociete, (int)r.CodeTarif, (int)r.CodeArticle, Dec(r.Montant), r.Libelle))]);
        var kiosk = c.Query<long>("SELECT codeArticle FROM ref_kiosk_articles WHERE pos=@p", p, tx).Select(x => (int)x).ToHashSet();
        return (data, kiosk);
    }

    private static string Dec(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static decimal Dec(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(string? text) =>
        text is null ? null : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private sealed class SyncRow
    {
        public string? LastSuccessUtc { get; set; }
        public string? LastAttemptUtc { get; set; }
        public string? LastError { get; set; }
        public long ConsecutiveFailures { get; set; }
        public long LastDurationMs { get; set; }
    }

    private sealed class CaisseRow
    {
        public long IdCrous { get; set; }
        public long IdUg { get; set; }
        public long IdRu { get; set; }
        public long IdUd { get; set; }
        public long IdCaisse { get; set; }
        public string? Libelle { get; set; }
        public long? IdLogiciel { get; set; }
    }

    private sealed class TvaRow
    {
        public long CodeTva { get; set; }
        public string Taux { get; set; } = "0";
        public string? Libelle { get; set; }
    }

    private sealed class ArticleRow
    {
        public long CodeArticle { get; set; }
        public string? Libelle { get; set; }
        public long CodeTva { get; set; }
        public long? CodeFamille { get; set; }
        public long Actif { get; set; }
        public long VersBornesPrepaiement { get; set; }
    }

    private sealed class SocieteRow
    {
        public long CodeSociete { get; set; }
        public string? Libelle { get; set; }
    }

    private sealed class SocieteTarifRow
    {
        public long CodeSociete { get; set; }
        public long CodeTarif { get; set; }
        public string? Libelle { get; set; }
        public long? CodeTva { get; set; }
    }

    private sealed class PeriodeRow
    {
        public long IdPeriode { get; set; }
        public string DateDebut { get; set; } = "";
        public string? DateFin { get; set; }
    }

    private sealed class StpRow
    {
        public long CodeSociete { get; set; }
        public long CodeTarif { get; set; }
        public long IdPeriode { get; set; }
    }

    private sealed class PrixRow
    {
        public long CodeArticle { get; set; }
        public long CodeSociete { get; set; }
        public long CodeTarif { get; set; }
        public long IdPeriode { get; set; }
        public string PrixTtc { get; set; } = "0";
    }

    private sealed class TypeRow
    {
        public long CodeType { get; set; }
        public string? Libelle { get; set; }
    }

    private sealed class DroitRow
    {
        public long CodeSociete { get; set; }
        public long CodeTarif { get; set; }
        public long CodeType { get; set; }
        public string MontantTtc { get; set; } = "0";
        public long CodeArticle { get; set; }
    }

    private sealed class SubventionRow
    {
        public long CodeSociete { get; set; }
        public long CodeTarif { get; set; }
        public long CodeArticle { get; set; }
        public string Montant { get; set; } = "0";
        public string? Libelle { get; set; }
    }
}
