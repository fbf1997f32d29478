// expect: compile: allow-list
var evil = System.Text.RegularExpressions.Regex.IsMatch(new string('a', 40) + "!", "^(a+)+$");
