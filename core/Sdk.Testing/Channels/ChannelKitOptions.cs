using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Testing;

/// <summary>Options of the channel profile (<see cref="ConformanceKit.RunChannelProfileAsync"/>) for an
/// <see cref="IPaymentChannelPlugin"/> or an <see cref="IWebPaymentChannelPlugin"/>.</summary>
public sealed class ChannelKitOptions : KitPluginOptions
{
    /// <summary>The medium the checks present to <see cref="IPaymentChannelPlugin.IdentifyAsync"/> and
    /// <see cref="IPaymentChannelPlugin.DebitAsync"/>. Default: one fitting the plugin's <c>Channel</c> (a card read
    /// for <c>card</c>, a well-formed Izly QR text for <c>qr</c>, a web medium otherwise).</summary>
    public PaymentMedium? SampleMedium { get; init; }

    /// <summary>The point of sale the calls name. Default <c>5-1-9-8-14</c> (the sandbox's).</summary>
    public string PointOfSale { get; init; } = "5-1-9-8-14";

    /// <summary>The budget of each call in the cancellation checks: the gateway never answers, so the host cancels the
    /// call's token at this point and the plugin has <see cref="KitPluginOptions.CancelGrace"/> to return. Default 300 ms.</summary>
    public TimeSpan CallBudget { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The default medium for a channel name.</summary>
    internal static PaymentMedium DefaultMedium(string channel) => channel switch
    {
        "card" => new CardMedium(new CardIdentity("36000001", "0123456789ABCD", CardTechnology.Desfire, "Kit Reader 00", "5357534D00000001", true)),
        "qr" => new QrMedium($"AIZ;{Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301")};1764158400;3;a2l0LWhtYWM=;a2l0LXNpZ25hdHVyZQ=="),
        _ => new WebMedium(null),
    };
}
