// expect: compile: statements and local functions only
// Close the body, then swallow the wrapper's closing braces in an unterminated comment.
Add(1201, 1, 1m);
} static string Escape() { System.IO.File.WriteAllText("%MARKER%", "escaped"); return ""; } void Unused() { /*
