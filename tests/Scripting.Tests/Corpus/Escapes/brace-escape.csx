// expect: compile: statements and local functions only
// Issue #18, attack 1: close Execute's body, declare a member of the generated class, reopen a dead method.
Escape();
Add(1201, 1, 1m);
}
static string Escape() { System.IO.File.WriteAllText("%MARKER%", "escaped"); return ""; }
void Unused() {
