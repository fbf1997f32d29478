// expect: budget: elements or characters at once
var big = new List<long>(int.MaxValue);
