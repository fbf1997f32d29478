// expect: compile: cannot be declared in a script
record Evil(string Path);
