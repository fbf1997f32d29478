// expect: budget: elements or characters at once
var big = new byte[1 << 30];
