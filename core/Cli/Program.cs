using Middleware.Cli;

// mwctl: calls the middleware over its pipe. The command tree is in Mwctl.cs.
return await Mwctl.InvokeAsync(args);
