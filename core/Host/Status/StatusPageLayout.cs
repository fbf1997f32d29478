namespace Middleware.Host.Status;

/// <summary>How a value of the snapshot is shown.</summary>
internal enum CellFormat
{
    Text,
    Money,
    Seconds,
    Time,
}

/// <summary>One column: the snapshot field (camelCase) and its French label.</summary>
internal sealed record StatusColumn(string Field, string Label, CellFormat Format = CellFormat.Text);

/// <summary>One section of the page: a part of the snapshot shown as a table.</summary>
internal sealed record StatusSection(string Part, string Title, IReadOnlyList<StatusColumn> Columns);

/// <summary>
/// The page's sections, in order. The server renders them into the first HTML, and the page's script renders the same
/// list (sent as JSON in the page) from each <c>/status.json</c>: one layout, no second copy to keep in step.
/// </summary>
internal static class StatusPageLayout
{
    public static readonly IReadOnlyList<StatusColumn> HostColumns =
    [
        new("version", "Version"), new("environment", "Environnement"), new("machine", "Machine"),
        new("startedAt", "Démarré", CellFormat.Time), new("uptimeSeconds", "En service depuis", CellFormat.Seconds), new("at", "Instantané", CellFormat.Time),
        new("processCpuMs", "CPU du processus (ms)"), new("gcCollections", "Collectes GC (gén. 0 / 1 / 2)"), new("gc", "Mode du GC"),
    ];

    public static readonly IReadOnlyList<StatusSection> Sections =
    [
        new("dayTotals", "Totaux du jour (non clôturés)",
        [
            new("scope", "Point de vente"), new("date", "Date"), new("sales", "Ventes"), new("salesTtc", "Montant ventes", CellFormat.Money),
            new("refunds", "Remboursements"), new("refundsTtc", "Montant remb.", CellFormat.Money), new("netTtc", "Net TTC", CellFormat.Money),
            new("byPayment", "Net par règlement, remboursements déduits (code: tickets / montant)"),
        ]),
        new("outbox", "Tickets vers VEM (outbox)",
        [
            new("pointOfSale", "Point de vente"), new("pending", "En attente"), new("sent", "Envoyés"), new("dead", "Refusés"),
            new("oldestPendingAgeSeconds", "Plus ancien en attente", CellFormat.Seconds), new("paidNoTicket", "Payés sans ticket"), new("lastError", "Dernière erreur"),
        ]),
        new("health", "Santé (VEM, Izly, lecteurs...)",
        [
            new("name", "Contrôle"), new("status", "État"), new("description", "Détail"), new("durationMs", "Durée (ms)"),
        ]),
        new("plugins", "Plugins",
        [
            new("id", "Plugin"), new("version", "Version"), new("state", "État"), new("reason", "Raison"), new("since", "Depuis", CellFormat.Time),
        ]),
        new("readers", "Lecteurs vus (configurés ou non)",
        [
            new("name", "Nom (à copier dans PointsOfSale[].Readers)"), new("kind", "Type"), new("pluginId", "Plugin"), new("state", "État"),
            new("pointsOfSale", "Points de vente"), new("seen", "Vu"),
        ]),
        new("cardEvents", "Derniers passages de carte",
        [
            new("at", "Heure", CellFormat.Time), new("kind", "Événement"), new("reader", "Lecteur"), new("card", "Carte"),
            new("technology", "Technologie"), new("error", "Erreur"), new("detail", "Détail"),
        ]),
        new("reference", "Données de référence",
        [
            new("pointOfSale", "Point de vente"), new("hasData", "Données"), new("ageSeconds", "Âge", CellFormat.Seconds), new("isStale", "Périmées"),
            new("consecutiveFailures", "Échecs"), new("lastError", "Dernière erreur"),
        ]),
        new("scripts", "Scripts",
        [
            new("file", "Fichier"), new("kind", "Type"), new("state", "État"), new("errors", "Erreurs"), new("lastFault", "Dernière faute"), new("faultCount", "Fautes"),
        ]),
        new("recentErrors", "Erreurs récentes (journal)",
        [
            new("at", "Heure", CellFormat.Time), new("level", "Niveau"), new("source", "Source"), new("message", "Message"), new("exception", "Exception"),
        ]),
    ];
}
