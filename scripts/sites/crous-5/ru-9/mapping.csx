// Crous 5, restaurant 9: the built-in ticket, plus what this site's back office reads in VEM.
// The host gives DefaultTicket (numbered, lines with the spec's HT rule, one payment); a site changes only what it needs.
// - affectation: the restaurant's code when the customer has none (anonymous guests), so VEM reports can group them;
// - idTypeDistribution: this site sells on site unless the till said otherwise.
var site = Site.Text("mapping.affectation", "CROUS5-RU9");
var complement = DefaultTicket.Complementaire ?? new VemComplement();

return DefaultTicket with
{
    Complementaire = complement with
    {
        Affectation = complement.Affectation ?? site,
        IdTypeDistribution = complement.IdTypeDistribution ?? 1,
    },
};
