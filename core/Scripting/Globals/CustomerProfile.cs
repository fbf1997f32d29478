namespace Middleware.Scripting.Globals;

/// <summary>The fixed <c>codeSociete</c> values of every Crous (crous-izly-api.md §3).</summary>
public static class Societes
{
    public const int Student = 10;
    public const int Guest = 8000;
    public const int OnlineOrdering = 8024;
}

/// <summary>The customer's profile as the card or QR identification gave it.</summary>
public sealed record CustomerProfile
{
    public int CodeSociete { get; init; } = Societes.Guest;
    public int CodeTarif { get; init; } = 1;

    /// <summary>Izly <c>codeClient</c>; null for an anonymous customer.</summary>
    public string? CodeClient { get; init; }

    public string? Name { get; init; }

    /// <summary>End of the customer's rights (<c>dateFinValiditeClient</c>); null when unknown.</summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>Student with a grant (boursier).</summary>
    public bool Scholarship { get; init; }

    /// <summary>Eligible for the €1 meal (repas à 1 €).</summary>
    public bool OneEuroMealEligible { get; init; }

    /// <summary>Loyalty points before this sale.</summary>
    public int LoyaltyBalance { get; init; }

    /// <summary>10/x students, and 8024/1 (students of the online-ordering app).</summary>
    public bool IsStudent => Domain.Tickets.LineVat.IsStudentProfile(CodeSociete, CodeTarif);

    /// <summary>8000: guests (hôtes de passage).</summary>
    public bool IsGuest => CodeSociete == Societes.Guest;

    /// <summary>True when the rights are still valid at <paramref name="at"/> (unknown validity counts as valid).</summary>
    public bool IsValidAt(DateTimeOffset at) => ValidUntil is null || at <= ValidUntil.Value;

    /// <summary>An anonymous guest (no card).</summary>
    public static CustomerProfile AnonymousGuest { get; } = new();
}
