using System.Text.Json.Serialization.Metadata;

namespace Middleware.Domain.Rpc;

/// <summary>
/// Compile-time JSON metadata (a source-generated <c>JsonSerializerContext</c>) of the parameters and results of a
/// project's <see cref="IRpcTarget"/> methods. Registered in DI next to the targets; the pipe combines every one into
/// its serializer options once, so a call never builds metadata by reflection.
/// </summary>
public sealed class RpcJsonMetadata(IJsonTypeInfoResolver resolver)
{
    public IJsonTypeInfoResolver Resolver { get; } = resolver;
}
