using System.Text.Json.Serialization.Metadata;

namespace Middleware.Domain.Rpc;

/// <summary>
/// Compile-time JSON metadata (a source-generated <c>JsonSerializerContext</c>) of the parameters and results of a
/// project's <see cref="IRpcTarget"/> methods. Registered in DI next to the targets; the pipe combines every one into
/// its serializer options once, so a call never builds metadata by reflection.
/// </summary>
/// <param name="resolver">The generated context.</param>
/// <param name="readByReflection">Parameter types the generated code would read wrongly, read by reflection instead:
/// generated code sets every init-only property, so a record whose init-only members have defaults (e.g.
/// <c>Quantity = 1</c>, <c>Components = []</c>) would get 0 and null for the members a till leaves out.</param>
public sealed class RpcJsonMetadata(IJsonTypeInfoResolver resolver, params Type[] readByReflection)
{
    public IJsonTypeInfoResolver Resolver { get; } = resolver;

    public IReadOnlyList<Type> ReadByReflection { get; } = readByReflection;
}
