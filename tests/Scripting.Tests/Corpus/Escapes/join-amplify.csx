// expect: budget: string of
var part = new string('x', 100_000);
var parts = new List<string>();
for (var i = 0; i < 50_000; i++) { parts.Add(part); }
var all = string.Join(",", parts);
