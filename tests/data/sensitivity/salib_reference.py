"""Reference values for tests/sensitivity.rs, computed once with SALib.

Writes, next to this script:
- sobol_ishigami_sample.csv: a SALib Sobol' sample for the Ishigami function
  (N = 256 base rows, no second-order terms; rows in SALib's order: for each base
  row, A, then A_B^(1..k), then B) with the function's value at each row;
- sobol_ishigami_salib.csv: SALib's first-order and total indices on it;
- morris_g_sample.csv: a SALib Morris sample (20 trajectories, 4 levels) for
  Sobol's g-function with a = (0, 1, 4.5, 9, 99, 99), and its values;
- morris_g_salib.csv: SALib's mu, mu_star and sigma on it.

Run with SALib 1.5.1 (pip install SALib==1.5.1 pandas==2.2.3; pandas 3 breaks SALib 1.5.1):
    python salib_reference.py
The committed CSV files are its output; the Rust test recomputes the indices
from the same samples and compares them to SALib's.
"""

import csv
import os

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

HERE = os.path.dirname(os.path.abspath(__file__))
G_A = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0]


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def g_function(x):
    return np.prod([(np.abs(4 * x[:, i] - 2) + a) / (1 + a) for i, a in enumerate(G_A)], axis=0)


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([repr(float(v)) for v in r])


def main():
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = sobol_sample.sample(problem, 256, calc_second_order=False, seed=20261202)
    y = ishigami(x)
    si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=1)
    write("sobol_ishigami_sample.csv", ["x1", "x2", "x3", "y"], np.c_[x, y])
    write("sobol_ishigami_salib.csv", ["S1", "ST"], np.c_[si["S1"], si["ST"]])

    k = len(G_A)
    problem = {"num_vars": k, "names": [f"x{i + 1}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}
    x = morris_sample.sample(problem, 20, num_levels=4, seed=20261202)
    y = g_function(x)
    si = morris_analyze.analyze(problem, x, y, num_levels=4, seed=1)
    write("morris_g_sample.csv", [f"x{i + 1}" for i in range(k)] + ["y"], np.c_[x, y])
    write("morris_g_salib.csv", ["mu", "mu_star", "sigma"], np.c_[si["mu"], si["mu_star"], si["sigma"]])


if __name__ == "__main__":
    main()
