// expect: compile: cannot start processes
System.Diagnostics.Process.Start("sh", "-c 'touch %MARKER%'");
