// Template ticket mapping: the VEM ticket of a finished sale (crous-izly-api.md §4), written out in full.
// Sites without a mapping.csx of their own get the middleware's built-in mapping; copy this file (or start from
// DefaultTicket, as sites/crous-5/ru-9/mapping.csx does) into scripts/sites/<crous>/<site>/ to map a site your way.
// HT prices follow the spec: round(TTC / (1 + rate/100), 2, half away from zero); totals = unit × quantity.

var lines = new List<VemTicketLine>();
var number = 1;
foreach (var line in Sale.Lines)
{
    lines.Add(TicketLine(number, line));
    number++;
}

var points = Sale.Lines.Sum(l => l.LoyaltyPoints ?? 0);
var customer = Sale.Customer;

return new VemTicket
{
    IdTicketEntete = Sale.IdTicketEntete,
    NumeroTicket = Sale.NumeroTicket,
    Date = Sale.Date,
    VersionLogiciel = Sale.VersionLogiciel,
    ListeLignes = lines,
    ListeReglements = new[] { Sale.Payment },
    Complementaire = new VemComplement
    {
        CodeClient = customer?.CodeClient,
        NomClient = customer?.Name,
        SoldeClient = Sale.BalanceAfter,
        CodeSocieteClient = customer?.CodeSociete,
        TarifClient = customer?.CodeTarif,
        DateFinValiditeClient = customer?.ValidUntil,
        IdSupport = Sale.Payment.IdSupport,
        CumulPointsFidelite = points > 0 ? points : null,
        SoldePointsFidelite = points > 0 && customer != null ? customer.LoyaltyBalance + points : null,
        IdTypeDistribution = Sale.DistributionType ?? 1,
        IdLogiciel = Sale.IdLogiciel ?? Site.TryInt("idLogiciel"),
    },
};
