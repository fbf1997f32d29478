// expect: compile: allow-list
Middleware.Scripting.Runtime.ScriptBudget.Leave();
