// expect: budget: nested deeper
Execute();
