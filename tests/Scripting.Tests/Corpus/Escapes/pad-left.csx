// expect: budget: elements or characters at once
var big = "x".PadLeft(1 << 30);
