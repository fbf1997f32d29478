namespace Middleware.Scripting.Globals;

/// <summary>A pricing or mapping rule cannot apply (e.g. an article without a price): the message is shown to
/// Crous IT and logged; scripts throw it with <c>throw Fail("...")</c>.</summary>
public sealed class ScriptRuleException : Exception
{
    public ScriptRuleException(string message) : base(message) { }

    public ScriptRuleException() : base("A script rule failed.") { }

    public ScriptRuleException(string message, Exception inner) : base(message, inner) { }
}
