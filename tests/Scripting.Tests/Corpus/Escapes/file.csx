// expect: compile: cannot read or write files
System.IO.File.WriteAllText("%MARKER%", "escaped");
