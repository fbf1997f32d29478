// Default pricing rules of every Crous site.
// A site overrides this file with its own pricing.csx in scripts/sites/<crous>/<site>/ (copy this one and edit).
// What you can use here (Basket, Customer, Catalog, Site, Now, Add, AddSubsidy...) is listed in scripts/README.md.
// Test your changes first:  mwctl script test scripts scripts/tests/pricing.cases.json

// 1. Articles and set menus at the customer's price.
//    Students pay the article's VAT; guests (and any profile with its own VAT code) pay their profile's VAT.
//    A set menu (formule: starter + main + dessert) is one line at the menu's bundle price.
foreach (var item in Basket.Lines)
{
    var kind = item.IsSetMenu ? LineKind.SetMenu : LineKind.Article;
    Add(item.CodeArticle, item.Quantity, PriceOf(item.CodeArticle), kind: kind);
}

// 2. Entry fee (droit d'entrée) of the profile, e.g. guests: once per ticket, as a line of its own.
if (!Basket.IsEmpty)
{
    foreach (var fee in Catalog.EntryFees(Customer.CodeSociete, Customer.CodeTarif))
    {
        AddEntryFee(fee);
    }
}

// 3. The €1 meal: an eligible student with valid rights pays 1 € for one set menu per ticket;
//    the difference is a subsidy line (negative price) with the subsidy's own article.
var meal = Lines.FirstOrDefault(l => l.Kind == LineKind.SetMenu);
var oneEuroMeal = false;
if (meal != null && Customer.OneEuroMealEligible && Customer.IsValidAt(Now) && Site.Flag("oneEuroMeal.enabled", true))
{
    var subsidy = meal.UnitPriceTtc - Site.Decimal("oneEuroMeal.price", 1.00m);
    if (subsidy > 0)
    {
        AddSubsidy(Site.Int("oneEuroMeal.subsidyArticle", 9001), subsidy, "Repas à 1 €");
        oneEuroMeal = true;
    }
}

// 4. Other subsidies of the profile (VEM "subventions"), once per ticket with a meal, never below zero.
if (meal != null && !oneEuroMeal)
{
    foreach (var s in Catalog.Subsidies(Customer.CodeSociete, Customer.CodeTarif))
    {
        var amount = Math.Min(s.Amount, TotalTtc);
        if (amount > 0)
        {
            AddSubsidy(s.CodeArticle, amount, s.Label);
        }
    }
}

// 5. Loyalty points for known Izly customers: N points per whole euro paid on each article line.
var pointsPerEuro = Site.Decimal("loyalty.pointsPerEuro", 0m);
if (pointsPerEuro > 0 && Customer.CodeClient != null)
{
    foreach (var line in Lines.Where(l => l.Kind == LineKind.Article || l.Kind == LineKind.SetMenu).ToList())
    {
        var paid = line.TotalTtc;
        if (oneEuroMeal && ReferenceEquals(line, meal))
        {
            paid = Site.Decimal("oneEuroMeal.price", 1.00m) + line.UnitPriceTtc * (line.Quantity - 1);
        }

        var points = (int)Math.Floor(paid * pointsPerEuro);
        if (points > 0)
        {
            SetLoyaltyPoints(line, points);
        }
    }
}
