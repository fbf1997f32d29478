// Pricing of Crous 5, RU 9: the default rules plus an evening tariff (the set menu becomes the evening menu,
// article "evening.menuArticle", between "evening.from" and "evening.until" in site.json).
// Test:  mwctl script test scripts/sites/crous-5/ru-9 scripts/sites/crous-5/ru-9/tests/pricing.cases.json

// 1. Articles and set menus at the customer's price.
//    Students pay the article's VAT; guests (and any profile with its own VAT code) pay their profile's VAT.
//    A set menu (formule: starter + main + dessert) is one line at the menu's bundle price.
var evening = TimeOfDay >= Site.Time("evening.from", new TimeOnly(18, 30)) && TimeOfDay < Site.Time("evening.until", new TimeOnly(22, 0));
foreach (var item in Basket.Lines)
{
    var kind = item.IsSetMenu ? LineKind.SetMenu : LineKind.Article;
    var code = item.CodeArticle;
    if (evening && item.IsSetMenu && code == Site.Int("evening.lunchMenu", 2001))
    {
        code = Site.Int("evening.menuArticle", 2002);
    }

    Add(code, item.Quantity, PriceOf(code), kind: kind);
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
