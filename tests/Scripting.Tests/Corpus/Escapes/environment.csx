// expect: compile: stop the host
Environment.Exit(1);
