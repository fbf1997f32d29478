// Crous 5, restaurant 12 (cafeteria): the built-in ticket, filed under the cafeteria's code ("mapping.affectation"
// in site.json) when the customer has none; a cafeteria sells to take away (2) unless the till said on site.
var site = Site.Text("mapping.affectation", "CROUS5-RU12");
var complement = DefaultTicket.Complementaire ?? new VemComplement();

return DefaultTicket with
{
    Complementaire = complement with
    {
        Affectation = complement.Affectation ?? site,
        IdTypeDistribution = complement.IdTypeDistribution ?? 2,
    },
};
