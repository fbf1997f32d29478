namespace Middleware.Pipe.Idempotency;

/// <summary>A middleware error kept as the first answer of a mutating call (replayed as that error).</summary>
internal sealed record StoredError(int Code, string Message, object? Data);
