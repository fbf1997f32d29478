using Middleware.Domain.Rpc;
using Middleware.Scripting.Engine;

namespace Middleware.Scripting.Rpc;

/// <summary>Till-protocol methods of the script engine.</summary>
internal sealed class ScriptsRpcTarget(IScriptEngine engine) : IRpcTarget
{
    /// <summary><c>scripts.status</c>: every script file with its state (Active, Faulted, CompileError), version hash,
    /// the version serving, and its errors as file:line:column.</summary>
    [RpcMethod("scripts.status")]
    public ScriptsStatusReply Status() => new(engine.GetStatus());
}

/// <summary>Answer of <c>scripts.status</c>.</summary>
public sealed record ScriptsStatusReply(IReadOnlyList<ScriptStatus> Scripts);
