// expect: compile: native code
[System.Runtime.InteropServices.DllImport("libc")] static extern int getpid();
var pid = getpid();
