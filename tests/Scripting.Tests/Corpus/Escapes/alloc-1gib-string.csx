// expect: budget: elements or characters at once
var big = new string('x', 1 << 30);
