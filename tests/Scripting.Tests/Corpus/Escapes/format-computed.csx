// expect: compile: format string must be a constant
var s = 1.ToString("D" + Site.Text("digits", "999999999"));
