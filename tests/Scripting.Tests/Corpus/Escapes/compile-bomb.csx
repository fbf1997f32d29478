// expect: compile: nested deeper than 12
// The parser's look-ahead grows exponentially with this nesting (on main: 20 levels take seconds, 40 never end).
var s = "x";
s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = (s = s + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s) + s;
