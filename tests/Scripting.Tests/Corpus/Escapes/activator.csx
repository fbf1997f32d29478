// expect: compile: reflection
var o = Activator.CreateInstance(typeof(System.Text.StringBuilder));
