// expect: compile: query syntax
var xs = new List<int>();
for (var i = 0; i < 2000; i++) { xs.Add(i); }
var n = (from a in xs from b in xs from c in xs select a + b + c).Count();
