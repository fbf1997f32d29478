// expect: budget: string of
var s = "x";
s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s;
s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s;
s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s;
