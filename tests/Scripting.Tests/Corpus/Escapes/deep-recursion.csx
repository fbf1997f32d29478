// expect: budget: nested deeper
int Down(int n) => Down(n + 1) + 1;
Down(0);
