// expect: budget: steps
IEnumerable<int> e = new[] { 1, 2 };
for (var i = 0; i < 40; i++) { e = e.Concat(e); }
var n = e.Count();
