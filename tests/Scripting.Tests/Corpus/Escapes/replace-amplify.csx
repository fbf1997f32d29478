// expect: compile: constant replacement
var s = new string('x', 10_000);
var t = s.Replace("x", s);
