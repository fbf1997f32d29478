// expect: budget: string of
// Nested assignments double the string within one statement (1,000 characters doubled 13 times).
var s = new string('x', 1000);
s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = s + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s;
