// expect: compile: statements and local functions only
// Hide the unbalanced brace from one parse with a conditional directive.
#if !NEVER
}
static string Escape() { System.IO.File.WriteAllText("%MARKER%", "escaped"); return ""; }
void Unused() {
#endif
