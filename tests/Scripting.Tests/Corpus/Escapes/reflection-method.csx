// expect: compile: reflection
var m = typeof(string).GetMethod("Concat");
