using Middleware.Storage;

namespace Middleware.Api.Reference;

/// <summary>The reference store's schema (store "reference"), version by version. Version 1 is what v0.1.0 wrote.</summary>
internal static class ReferenceSchema
{
    public static readonly StoreSchema Schema = new("reference",
    [
        new SchemaStep(1, "v0.1.0: one table per VEM resource, keyed by point of sale", Baseline),
    ]);

    private const string Baseline = """
        CREATE TABLE IF NOT EXISTS ref_caisse(pos TEXT PRIMARY KEY, idCrous INTEGER, idUg INTEGER, idRu INTEGER, idUd INTEGER, idCaisse INTEGER, libelle TEXT, idLogiciel INTEGER);
        CREATE TABLE IF NOT EXISTS ref_tva(pos TEXT NOT NULL, codeTva INTEGER NOT NULL, taux TEXT NOT NULL, libelle TEXT);
        CREATE TABLE IF NOT EXISTS ref_articles(pos TEXT NOT NULL, codeArticle INTEGER NOT NULL, libelle TEXT, codeTva INTEGER NOT NULL, codeFamille INTEGER, actif INTEGER NOT NULL, versBornesPrepaiement INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS ref_societes(pos TEXT NOT NULL, codeSociete INTEGER NOT NULL, libelle TEXT);
        CREATE TABLE IF NOT EXISTS ref_societes_tarifs(pos TEXT NOT NULL, codeSociete INTEGER NOT NULL, codeTarif INTEGER NOT NULL, libelle TEXT, codeTva INTEGER);
        CREATE TABLE IF NOT EXISTS ref_periodes(pos TEXT NOT NULL, idPeriode INTEGER NOT NULL, dateDebut TEXT NOT NULL, dateFin TEXT);
        CREATE TABLE IF NOT EXISTS ref_societes_tarifs_periode(pos TEXT NOT NULL, codeSociete INTEGER NOT NULL, codeTarif INTEGER NOT NULL, idPeriode INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS ref_prix(pos TEXT NOT NULL, codeArticle INTEGER NOT NULL, codeSociete INTEGER NOT NULL, codeTarif INTEGER NOT NULL, idPeriode INTEGER NOT NULL, prixTtc TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS ref_kiosk_articles(pos TEXT NOT NULL, codeArticle INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS ref_droits_entree_types(pos TEXT NOT NULL, codeType INTEGER NOT NULL, libelle TEXT);
        CREATE TABLE IF NOT EXISTS ref_droits_entree(pos TEXT NOT NULL, codeSociete INTEGER NOT NULL, codeTarif INTEGER NOT NULL, codeType INTEGER NOT NULL, montantTtc TEXT NOT NULL, codeArticle INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS ref_subventions(pos TEXT NOT NULL, codeSociete INTEGER NOT NULL, codeTarif INTEGER NOT NULL, codeArticle INTEGER NOT NULL, montant TEXT NOT NULL, libelle TEXT);
        CREATE TABLE IF NOT EXISTS ref_sync(pos TEXT PRIMARY KEY, lastSuccessUtc TEXT, lastAttemptUtc TEXT, lastError TEXT, consecutiveFailures INTEGER NOT NULL DEFAULT 0, lastDurationMs INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS ix_ref_prix_pos ON ref_prix(pos);
        CREATE INDEX IF NOT EXISTS ix_ref_articles_pos ON ref_articles(pos);
        """;
}
