using Middleware.Scripting.Globals;

namespace Middleware.Benchmarks.Scripting;

/// <summary>scripts/pricing.csx written as compiled C#: the baseline of the cached-script call.</summary>
internal sealed class CompiledDefaultPricing : PricingScript
{
    public override void Execute()
    {
        foreach (var item in Basket.Lines)
        {
            var kind = item.IsSetMenu ? LineKind.SetMenu : LineKind.Article;
            Add(item.CodeArticle, item.Quantity, PriceOf(item.CodeArticle), kind: kind);
        }

        if (!Basket.IsEmpty)
        {
            foreach (var fee in Catalog.EntryFees(Customer.CodeSociete, Customer.CodeTarif))
            {
                AddEntryFee(fee);
            }
        }

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
    }
}
