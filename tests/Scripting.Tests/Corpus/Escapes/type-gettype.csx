// expect: compile: reflection
var t = Type.GetType("System.IO.File");
