// expect: compile: unsafe code
unsafe { int x = 1; int* p = &x; *p = 2; }
