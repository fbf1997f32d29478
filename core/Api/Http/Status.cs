using System.Net;

namespace Middleware.Api.Http;

/// <summary>Status codes with names, for the adapters.</summary>
internal static class Status
{
    public const int Ok = (int)HttpStatusCode.OK;
    public const int Created = (int)HttpStatusCode.Created;
    public const int NoContent = (int)HttpStatusCode.NoContent;
    public const int BadRequest = (int)HttpStatusCode.BadRequest;
    public const int Unauthorized = (int)HttpStatusCode.Unauthorized;
    public const int Forbidden = (int)HttpStatusCode.Forbidden;
    public const int NotFound = (int)HttpStatusCode.NotFound;
    public const int Conflict = (int)HttpStatusCode.Conflict;
    public const int UnprocessableEntity = (int)HttpStatusCode.UnprocessableEntity;
    public const int Locked = (int)HttpStatusCode.Locked;
}
