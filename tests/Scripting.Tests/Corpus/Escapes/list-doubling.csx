// expect: budget: memory
var xs = new List<long> { 1 };
xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs);
xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs);
xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs);
xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs); xs.AddRange(xs);
