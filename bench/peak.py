"""Run manage.py with the given arguments and write this process's peak
resident memory (VmHWM, in kB) to the file named by BENCH_PEAK_FILE at exit.

wait4's ru_maxrss cannot be used for a child of the runner: Linux carries
the forked copy of the runner's own memory into the child's figure across
exec. VmHWM belongs to the process's own address space, made at exec.
"""

import atexit
import os
import runpy
import sys


def _write_peak():
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next((line.split()[1] for line in status if line.startswith("VmHWM:")), "")
    with open(os.environ["BENCH_PEAK_FILE"], "w", encoding="ascii") as out:
        out.write(peak)


if __name__ == "__main__":
    atexit.register(_write_peak)
    sys.argv = ["manage.py", *sys.argv[1:]]
    runpy.run_path("manage.py", run_name="__main__")
