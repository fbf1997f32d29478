// expect: compile: only statements, variables and local functions
public static string Escape { get { System.IO.File.WriteAllText("%MARKER%", "escaped"); return ""; } }
