namespace Middleware.Api.Http;

/// <summary>One error of the APIs' error body (crous-izly-api.md §7): <c>{"code":"-50","message":"...","field":null}</c>.</summary>
/// <param name="Code">The API's code, e.g. <c>-50</c>, <c>-70</c>.</param>
/// <param name="Message">The API's message (for -70 it names the rule and the line).</param>
/// <param name="Field">The field at fault, when given.</param>
public sealed record ApiError(string Code, string Message, string? Field);
