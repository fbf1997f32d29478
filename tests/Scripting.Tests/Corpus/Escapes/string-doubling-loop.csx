// expect: budget: string of
// Issue #18, attack 5: 28 doublings reached 4.27 GB and 30.9 s against a 2 s budget on main.
var s = "x";
for (var i = 0; i < 28; i++)
{
    s = s + s;
}

Log(s.Length.ToString());
