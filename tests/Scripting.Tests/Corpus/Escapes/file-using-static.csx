// expect: compile: cannot read or write files
using static System.IO.File;
WriteAllText("%MARKER%", "escaped");
