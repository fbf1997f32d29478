// expect: compile: cannot be declared in a script
class Evil
{
    public static void Run() => System.IO.File.WriteAllText("%MARKER%", "escaped");
}
Evil.Run();
